// Randomised (fixed-seed, so never flaky) mutation tests of the request-head
// checks: whatever bytes arrive, the checks neither crash nor throw, refuse
// with a 4xx (or 505) and a code, and every head they let through is one
// Poco's own parser reads without an exception — the promise request_head.h
// makes so that a malformed head never reaches Poco's plain-text 400.
#include <Poco/Net/HTTPRequest.h>
#include <catch2/catch.hpp>
#include <random>
#include <sstream>
#include <zhaoyin/http/edge/request_head.h>

using namespace zhaoyin::http::edge;

TEST_CASE("request heads: random mutations are refused cleanly or parse in Poco", "[edge][head][fuzz]") {
  const std::vector<std::string> seeds = {
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "POST /oauth/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 29\r\n\r\n",
      "PUT /api/v1/x?y=1&z=%20 HTTP/1.0\r\nX-A: one, two\r\nTransfer-Encoding: chunked\r\n\r\n",
      "DELETE /api/v1/login-sessions/abc HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t\r\nExpect: 100-continue\r\n\r\n",
  };
  static const char bytes[] = "\r\n :\t,;/-_aZ09%\x7f\x80\xff";
  const std::string alphabet(bytes, sizeof bytes);  // with the terminating NUL: a byte to try too
  std::mt19937 rng(20261206);  // fixed: the same cases on every run
  HeadLimits limits;
  limits.max_head_bytes = 4096;
  limits.max_fields = 10;
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string head = seeds[rng() % seeds.size()];
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations && !head.empty(); ++m) {
      const auto at = rng() % head.size();
      switch (rng() % 4) {
        case 0: head.insert(head.begin() + static_cast<long>(at), alphabet[rng() % alphabet.size()]); break;
        case 1: head.erase(at, 1); break;
        case 2: head[at] = alphabet[rng() % alphabet.size()]; break;
        default: head.insert(at, head.substr(rng() % head.size(), rng() % 40)); break;
      }
    }
    head.erase(0, skip_leading_empty_lines(head));
    const auto end = find_head_end(head);
    if (!end) continue;
    const std::string_view candidate = std::string_view(head).substr(0, *end);
    HeadResult r;
    REQUIRE_NOTHROW(r = check_request_head(candidate, limits));
    if (r.problem) {
      ++refused;
      INFO(head);
      CHECK(((r.problem->status >= 400 && r.problem->status < 500) || r.problem->status == 505));
      CHECK_FALSE(r.problem->code.empty());
      continue;
    }
    ++accepted;
    Poco::Net::HTTPRequest request;
    std::istringstream in{std::string(candidate)};
    INFO(std::string(candidate));
    CHECK_NOTHROW(request.read(in));
  }
  // The mutations reach both outcomes.
  CHECK(accepted > 100);
  CHECK(refused > 100);
}
