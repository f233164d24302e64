// GET /openapi.yaml serves docs/openapi.yaml exactly as it is in the
// repository (embedded at build time by host/http/cmake/embed_openapi.cmake).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "host_fixture.h"

using namespace zhaoyin::test;

TEST_CASE("GET /openapi.yaml serves the repository's OpenAPI document byte for byte", "[openapi][http]") {
  std::ifstream in(std::string(ZHAOYIN_SOURCE_DIR) + "/docs/openapi.yaml", std::ios::binary);
  REQUIRE(in);
  std::ostringstream file;
  file << in.rdbuf();
  REQUIRE(file.str().rfind("openapi: 3.1.", 0) == 0);

  TestHost host;
  const auto r = host.get("/openapi.yaml");
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type").rfind("application/yaml", 0) == 0);
  CHECK(r.body == file.str());

  const auto head = host.call({.method = "POST", .path = "/openapi.yaml", .body = "{}", .content_type = "application/json"});
  CHECK(head.status == 405);
  CHECK(head.header("Allow") == "GET");
}
