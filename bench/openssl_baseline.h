#pragma once
// The baselines every benchmark prints its figures against, measured in the
// same run on the same machine: OpenSSL's own `openssl speed sm2`, and a
// percentile helper for latency figures.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace zhaoyin::bench {

struct Sm2Speed {
  double sign_per_second = 0;
  double verify_per_second = 0;
};

// `openssl speed -seconds N sm2` on one core. Its result line reads
// "256 bits SM2 (CurveSM2)   0.0003s   0.0003s   3402.0   3600.0" (sign/s, verify/s);
// zeros when openssl is missing or prints something else.
inline Sm2Speed openssl_sm2_speed(int seconds = 2) {
  Sm2Speed speed;
  const std::string command = "openssl speed -seconds " + std::to_string(seconds) + " sm2 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return speed;
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  pclose(pipe);
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("SM2") == std::string::npos || line.find("bits") == std::string::npos) continue;
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string w; fields >> w;) words.push_back(w);
    if (words.size() < 2) break;
    speed.sign_per_second = std::atof(words[words.size() - 2].c_str());
    speed.verify_per_second = std::atof(words.back().c_str());
    break;
  }
  return speed;
}

// The p-quantile (0..1) of a sample, 0 for an empty one.
inline double percentile(std::vector<double> sample, double p) {
  if (sample.empty()) return 0;
  std::sort(sample.begin(), sample.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sample.size()));
  return sample[std::min(sample.size() - 1, i)];
}

}  // namespace zhaoyin::bench
