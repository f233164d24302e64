// RFC 8785 checked against an implementation that is not ours, both ways
// (tests/protocol/jcs-interop: the npm package `canonicalize` by Samuel
// Erdtman, one of the RFC's authors, pinned in package-lock.json; run.sh
// installs it on first use):
//   1. Node generates a few thousand values from a fixed seed (doubles across
//      every binary exponent, decimal-looking doubles around the layout
//      boundaries, integers up to 2^53, strings with every control character
//      and characters beyond U+FFFF, objects with names whose UTF-16 and UTF-8
//      orders differ, nesting), writes each as JSON text spelt in varied but
//      equivalent ways, and canonicalize()'s output for it;
//   2. Zhaoyin reads each text with nlohmann's parser (not read_json: the
//      generated doubles go beyond read_json's 2^53 limit, which JCS covers)
//      and its canonical_json must give canonicalize's bytes exactly;
//   3. Node reads Zhaoyin's outputs back: canonicalize(JSON.parse(ours)) must
//      give each of them unchanged.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <test_support.h>
#include <zhaoyin/protocol/canonical_json.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using json = nlohmann::json;

namespace {

std::string node_side(const std::string& args) {
  return "sh " + quote(std::string(ZHAOYIN_SOURCE_DIR) + "/tests/protocol/jcs-interop/run.sh") + " " + args;
}

}  // namespace

TEST_CASE("canonical_json gives the npm canonicalize package's bytes for generated values, both ways",
          "[protocol][jcs][interop]") {
  TempDir dir("zhaoyin-jcs");
  constexpr int kRandomCases = 4000;
  const auto gen = run_command(node_side("gen " + quote(dir.path().string()) + " 18 " + std::to_string(kRandomCases)));
  INFO(gen.output);
  REQUIRE(gen.exit_code == 0);

  std::ifstream in(dir.path() / "cases.jsonl", std::ios::binary);
  REQUIRE(in);
  std::ostringstream ours;
  std::size_t cases = 0, identical = 0;
  std::vector<std::string> mismatches;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++cases;
    const json c = json::parse(line);
    const std::string text = c.at("in").get<std::string>();
    const std::string expected = c.at("jcs").get<std::string>();
    std::string mine;
    try {
      mine = protocol::canonical_json(json::parse(text));
    } catch (const std::exception& e) {
      mine = std::string("<refused: ") + e.what() + ">";
    }
    if (mine == expected)
      ++identical;
    else if (mismatches.size() < 10)
      mismatches.push_back("input " + text + "\n  canonicalize: " + expected + "\n  zhaoyin:      " + mine);
    ours << mine << '\n';
  }
  write_file(dir.path() / "zhaoyin.txt", ours.str());
  std::string report;
  for (const auto& m : mismatches) report += m + "\n";
  INFO(report);
  CHECK(cases > kRandomCases);
  CHECK(identical == cases);

  // The other way: Node re-reads what Zhaoyin wrote.
  const auto check = run_command(node_side("check " + quote(dir.path().string())));
  INFO(check.output);
  CHECK(check.exit_code == 0);
  WARN("JCS interop: " << cases << " cases, " << identical << " identical in Zhaoyin; Node: " << check.output);
}
