#pragma once
// Records what the tests' HTTP clients receive from a host, so that
// tests/openapi/validate_captures.js can check every response against
// api/openapi.yaml (the document cannot drift from the host).
//
// Set ZHAOYIN_OPENAPI_CAPTURE=DIR (tests/CMakeLists.txt does for every Catch2
// test): each test process then appends one JSON line per exchange to
// DIR/<pid>.jsonl — one file per process, so tests running side by side under
// ctest -j never write to the same file. Unset, nothing is written.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#ifdef ZHAOYIN_CATCH_TEST
#include <catch2/catch.hpp>
#endif

namespace zhaoyin::test {

inline void openapi_capture(const std::string& method, const std::string& path_and_query, int status,
                            const std::string& content_type, const std::string& body) {
  const char* dir = std::getenv("ZHAOYIN_OPENAPI_CAPTURE");
  if (!dir || !*dir) return;
  std::string test;
#ifdef ZHAOYIN_CATCH_TEST
  try {
    test = Catch::getResultCapture().getCurrentTestName();  // names the failing case in the report
  } catch (...) {
  }
#endif
  nlohmann::json line = {{"method", method},
                         {"path", path_and_query},
                         {"status", status},
                         {"content_type", content_type},
                         {"test", test}};
  // Bodies that are not UTF-8 (PNG, PDF) are not validated beyond their
  // media type: keep their size only, the JSON writer needs valid UTF-8.
  try {
    line["body"] = nlohmann::json(body).dump();  // throws on invalid UTF-8
    line["body"] = body;
  } catch (const nlohmann::json::exception&) {
    line["body"] = nullptr;
    line["body_bytes"] = body.size();
  }
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  std::ofstream out(std::string(dir) + "/" + std::to_string(::getpid()) + ".jsonl", std::ios::app);
  out << line.dump() << '\n';
}

}  // namespace zhaoyin::test
