#pragma once
// One sandbox per test process, made by the real CLI the first time a test
// asks for it (ctest runs each case in its own process, so cases that do not
// need it pay nothing). Tests only read it; the ones that change a sandbox
// make their own.
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>
#include <zhaoyin/trust/chain.h>
#include "test_support.h"

namespace zhaoyin::test {

struct Sandbox {
  TempDir dir{"zhaoyin-sandbox-test"};
  nlohmann::json manifest;

  Sandbox() {
    const auto r = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(dir.path().string()));
    if (r.exit_code != 0) throw std::runtime_error("zhaoyin sandbox init failed: " + r.output);
    manifest = nlohmann::json::parse(read_file(dir.path() / "sandbox.json"));
  }
  fs::path path(const std::string& relative) const { return dir.path() / relative; }
  fs::path path(const char* relative) const { return dir.path() / relative; }
  fs::path path(const nlohmann::json& relative) const { return path(relative.get<std::string>()); }
  nlohmann::json registry() const {
    return nlohmann::json::parse(read_file(path(manifest["authority"]["registry"])));
  }
};

inline const Sandbox& shared_sandbox() {
  static const Sandbox sandbox;
  return sandbox;
}

// The sandbox's trust anchors as a relying party would configure them: the
// root, every issuing CA, every CRL.
inline trust::TrustStore sandbox_trust_store(const Sandbox& s) {
  trust::TrustStore store;
  const auto& authority = s.manifest["authority"];
  store.add_root(trust::Certificate::from_pem(read_file(s.path(authority["root"]))));
  store.add_crl(trust::Crl::from_pem(read_file(s.path(authority["root_crl"]))));
  for (const auto& ca : authority["issuing_cas"]) {
    store.add_intermediate(trust::Certificate::from_pem(read_file(s.path(ca["cert"]))));
    store.add_crl(trust::Crl::from_pem(read_file(s.path(ca["crl"]))));
  }
  return store;
}

inline std::string iso8601_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&t, &parts);
  char buffer[32];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts));
}

// Every holder record of registry.json with its enterprise.
struct HolderRecord {
  nlohmann::json enterprise;
  nlohmann::json holder;
};
inline std::vector<HolderRecord> registry_holders(const nlohmann::json& registry) {
  std::vector<HolderRecord> out;
  for (const auto& e : registry["enterprises"]) {
    for (const auto& h : e["holders"]) out.push_back({e, h});
  }
  return out;
}

}  // namespace zhaoyin::test
