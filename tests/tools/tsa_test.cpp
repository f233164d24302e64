// The sandbox time-stamping authority: its certificate from `zhaoyin sandbox
// init`, the RFC 3161 §3.4 HTTP service (answers and refusals, each a
// TimeStampResp), `zhaoyin tsa serve` as a process, and `openssl ts` reading
// what it answers.
#include <catch2/catch.hpp>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <zhaoyin/sandbox/tsa.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>
#include <zhaoyin/tsa/tsa_service.h>

#include "sandbox_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

trust::TsaCredential sandbox_tsa() { return sandbox::load_tsa_credential(shared_sandbox().dir.path()); }

trust::TrustStore sandbox_root() {
  trust::TrustStore s;
  s.add_root(trust::Certificate::from_pem(read_file(shared_sandbox().path("authority/root.pem"))));
  return s;
}

trust::Bytes query_for(const trust::Bytes& data, bool cert_req = true) {
  trust::TimestampRequest r;
  r.hashed_message = trust::sm3(data);
  r.nonce = trust::Bytes{0x01, 0x02, 0x03};
  r.cert_req = cert_req;
  return trust::encode_timestamp_request(r);
}

std::optional<int> failure_of(const tsa::TsaReply& reply) {
  const auto r = trust::parse_timestamp_response(reply.body);
  CHECK(r.status == 2);
  CHECK_FALSE(r.token.has_value());
  return r.failure_bit;
}

}  // namespace

TEST_CASE("sandbox init issues a TSA certificate from the root with the critical id-kp-timeStamping EKU") {
  const auto tsa = sandbox_tsa();
  CHECK(tsa.cert.subject_line().find("Time-Stamping Authority (SANDBOX)") != std::string::npos);
  CHECK(tsa.cert.extended_key_usages() == std::vector<std::string>{std::string(trust::kOidTimeStampingPurpose)});
  CHECK(tsa.key.same_public_key(tsa.cert.public_key()));
  const auto r = run_command("/usr/bin/openssl verify -purpose timestampsign -vfyopt distid:1234567812345678 -CAfile " +
                             quote(shared_sandbox().path("authority/root.pem").string()) + " " +
                             quote(shared_sandbox().path("authority/tsa.pem").string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("the TSA answers a query with a token over the imprint that verifies to the sandbox root") {
  const auto tsa = sandbox_tsa();
  const auto data = trust::to_bytes("a signature value");
  const auto reply = tsa::answer_query(tsa, "POST", "application/timestamp-query", query_for(data), std::chrono::system_clock::now());
  REQUIRE(reply.http_status == 200);
  CHECK(reply.content_type == "application/timestamp-reply");
  const auto response = trust::parse_timestamp_response(reply.body);
  REQUIRE(response.token.has_value());
  const auto check = trust::verify_timestamp_token(*response.token, data, sandbox_root());
  INFO(check.message);
  CHECK(check.ok);
  CHECK(check.token->info.nonce == trust::Bytes{0x01, 0x02, 0x03});
  CHECK(check.token->certificates.size() == 1);  // certReq honoured
  const auto without = trust::parse_timestamp_response(
      tsa::answer_query(tsa, "POST", "application/timestamp-query", query_for(data, false), std::chrono::system_clock::now()).body);
  CHECK(trust::parse_timestamp_token(*without.token).certificates.empty());
}

TEST_CASE("the TSA refuses bad queries with a TimeStampResp rejection: malformed / other hash / policy / method / type / size") {
  const auto tsa = sandbox_tsa();
  const auto now = std::chrono::system_clock::now();
  const std::string type = "application/timestamp-query";
  SECTION("malformed") {
    const auto reply = tsa::answer_query(tsa, "POST", type, trust::to_bytes("not DER"), now);
    CHECK(reply.http_status == 400);
    CHECK(failure_of(reply) == trust::kFailBadRequest);
  }
  SECTION("a hash other than SM3 or SHA-256") {
    // SHA-1 (1.3.14.3.2.26), 20 bytes.
    const auto sha1_query = trust::hex_decode("3024020101301f300706052b0e03021a0414" + std::string(40, 'a'));
    const auto reply = tsa::answer_query(tsa, "POST", type, sha1_query, now);
    CHECK(reply.http_status == 400);
    CHECK(failure_of(reply) == trust::kFailBadAlg);
  }
  SECTION("another policy") {
    trust::TimestampRequest r;
    r.hashed_message = trust::sm3(trust::to_bytes("x"));
    r.policy = "1.2.3.4";
    const auto reply = tsa::answer_query(tsa, "POST", type, trust::encode_timestamp_request(r), now);
    CHECK(reply.http_status == 400);
    CHECK(failure_of(reply) == trust::kFailUnacceptedPolicy);
  }
  SECTION("GET, another media type, too long") {
    CHECK(tsa::answer_query(tsa, "GET", type, {}, now).http_status == 405);
    CHECK(tsa::answer_query(tsa, "POST", "application/json", query_for({}), now).http_status == 415);
    const auto big = tsa::answer_query(tsa, "POST", type, trust::Bytes(tsa::kMaxQueryBytes + 1, 0x30), now);
    CHECK(big.http_status == 413);
    CHECK(failure_of(big) == trust::kFailBadRequest);
  }
}

TEST_CASE("zhaoyin tsa serve answers over HTTP and openssl ts -reply reads its answer") {
  TempDir dir("zhaoyin-tsa-serve");
  // A free port, then the real CLI in the background until the test kills it by its pid.
  std::uint16_t port = 0;
  {
    tsa::TsaServer probe(sandbox_tsa(), 0);
    port = probe.port();
  }
  const auto log = dir.path() / "tsa.log";
  const auto started = run_command(quote(bin("zhaoyin")) + " tsa serve --sandbox " + quote(shared_sandbox().dir.path().string()) +
                                   " --port " + std::to_string(port) + " > " + quote(log.string()) + " 2>&1 & echo $!");
  const std::string pid = started.output.substr(0, started.output.find('\n'));
  // Wait, as long as the process lives, for the line it prints once its socket is bound.
  const auto ready = run_command("while kill -0 " + pid + " 2>/dev/null; do grep -q 'time-stamping authority at' " +
                                 quote(log.string()) + " && exit 0; sleep 0.05; done; exit 1");
  REQUIRE(ready.exit_code == 0);
  const auto data = trust::to_bytes("over HTTP");
  const auto q = query_for(data);
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/timestamp-query");
  request.setContentLength(static_cast<std::streamsize>(q.size()));
  session.sendRequest(request).write(reinterpret_cast<const char*>(q.data()), static_cast<std::streamsize>(q.size()));
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  run_command("kill " + pid);
  REQUIRE(response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK);
  CHECK(response.getContentType() == "application/timestamp-reply");
  write_file(dir.path() / "reply.tsr", body);
  const auto text = run_command("/usr/bin/openssl ts -reply -in " + quote((dir.path() / "reply.tsr").string()) + " -text");
  INFO(text.output);
  CHECK(text.exit_code == 0);
  CHECK(text.output.find("Status: Granted.") != std::string::npos);
  CHECK(text.output.find("Hash Algorithm: sm3") != std::string::npos);
}
