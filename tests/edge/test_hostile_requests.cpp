// Hostile request bodies against a real host (issue 17, items 1, 2 and 7):
// deeply nested JSON, numbers out of range, duplicate members and forms of a
// quarter million fields, sent without credentials where the endpoint needs
// none and with a valid token where it does. Every answer is a 4xx in the
// error shape; nothing crashes the host or reaches a client as a 500.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host_process.h"
#include "test_support.h"

using nlohmann::json;
using namespace zhaoyin::test;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  json error() const {
    const auto j = json::parse(body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"] : json();
  }
  std::string code() const {
    const auto e = error();
    return e.is_object() && e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
  }
};

Reply send(int port, const std::string& method, const std::string& path, const std::string& body,
           const std::string& content_type, const std::string& bearer = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(300, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!bearer.empty()) request.set("Authorization", "Bearer " + bearer);
  if (!content_type.empty()) request.setContentType(content_type);
  request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  return {static_cast<int>(response.getStatus()), out.str()};
}

// One sandbox and one host for the whole executable.
struct Env {
  TempDir dir{"zhaoyin-edge"};
  json sandbox;
  std::unique_ptr<HostProcess> host;
  std::string token;         // the tax demo application: login, presentation, signature
  std::string tax_client_id;
  std::string operator_token;

  Env() {
    std::signal(SIGPIPE, SIG_IGN);
    auto r = run_command(bin("zhaoyin") + " sandbox init " + quote(dir / "sandbox"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    sandbox = json::parse(read_file(dir.path() / "sandbox" / "sandbox.json"));
    host = std::make_unique<HostProcess>(dir.path(), std::vector<std::string>{"--data", dir / "data", "--sandbox",
                                                                              dir / "sandbox"});
    INFO(host->log());
    REQUIRE(host->ready());
    for (const auto& app : sandbox["applications"]) {
      if (app["department"] != "tax") continue;
      const auto basic = "client_id=" + app["client_id"].get<std::string>() +
                         "&client_secret=" + app["client_secret"].get<std::string>() + "&grant_type=client_credentials";
      const auto reply = send(host->port(), "POST", "/oauth/token", basic, "application/x-www-form-urlencoded");
      INFO(reply.body);
      REQUIRE(reply.status == 200);
      token = json::parse(reply.body)["access_token"];
      tax_client_id = app["client_id"];
    }
    REQUIRE_FALSE(token.empty());
    operator_token = read_file(dir.path() / "sandbox" / "admin" / "operator-token");
    while (!operator_token.empty() && (operator_token.back() == '\n' || operator_token.back() == '\r'))
      operator_token.pop_back();
  }

  int port() const { return host->port(); }

  bool alive() const { return send(port(), "GET", "/healthz", "", "").status == 200; }

  // A fresh login session's wallet ticket (the last segment of its QR text).
  std::string ticket() const {
    const auto reply = send(port(), "POST", "/api/v1/login-sessions", "{}", "application/json", token);
    INFO(reply.body);
    REQUIRE(reply.status == 201);
    const std::string qr = json::parse(reply.body)["qr_text"];
    return qr.substr(qr.rfind('/') + 1);
  }
};

Env& env() {
  static Env e;
  return e;
}

struct Endpoint {
  std::string method;
  std::string path;
  bool op = false;           // the operator's token instead of the application's
  bool reads_body = true;    // false: the resource is looked up (and not found) before the body is read
};

// Every endpoint that reads a JSON body.
std::vector<Endpoint> json_endpoints() {
  return {
      {"POST", "/api/v1/login-sessions"},
      {"POST", "/wallet/v1/requests/" + env().ticket() + "/answer"},
      {"POST", "/api/v1/presentations"},
      {"POST", "/api/v1/forms/tax.invoice_application/prefill"},
      {"POST", "/api/v1/archives/none/publish", false, false},
      {"POST", "/api/v1/sign-tasks"},
      {"POST", "/api/v1/signatures/verify"},
      {"PUT", "/api/v1/admin/applications/" + env().tax_client_id + "/plugins", true},
      {"PUT", "/api/v1/admin/applications/" + env().tax_client_id + "/scripts", true},
      {"PUT", "/api/v1/admin/plugins/tax/config", true},
  };
}

std::string deep_brackets(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("deeply nested JSON is refused with json_too_deep everywhere, and the host stays up") {
  auto& e = env();
  const std::string deep = deep_brackets(150000);  // 300 KB, a third of the body limit
  for (const auto& ep : json_endpoints()) {
    // An endpoint that refuses before reading the body closes the connection
    // under a large unread body; the client may then see a reset, not the answer.
    if (!ep.reads_body) continue;
    for (const std::string& body : {deep, "{\"document\":{\"json\":" + deep + "}}", "{\"answer\":" + deep + "}"}) {
      const auto reply = send(e.port(), ep.method, ep.path, body, "application/json", ep.op ? e.operator_token : e.token);
      INFO(ep.method << " " << ep.path << " -> " << reply.status << " " << reply.body.substr(0, 300));
      CHECK(reply.status == 400);
      CHECK(reply.code() == "json_too_deep");
    }
  }
  CHECK(e.alive());
}

TEST_CASE("numbers out of range are a 400 with a code on every JSON endpoint, never a 500") {
  auto& e = env();
  const std::vector<std::string> bodies = {
      R"({"ttl":1e400})",
      R"({"document":{"json":{"amount":-1e400}}})",
      R"({"code":"x","matter":9007199254740993})",
      R"([1e309])",
  };
  for (const auto& ep : json_endpoints()) {
    for (const auto& body : bodies) {
      const auto reply = send(e.port(), ep.method, ep.path, body, "application/json", ep.op ? e.operator_token : e.token);
      INFO(ep.method << " " << ep.path << " " << body << " -> " << reply.status << " " << reply.body.substr(0, 300));
      if (ep.reads_body) {
        CHECK(reply.status == 400);
        CHECK(reply.code() == "json_number_out_of_range");
      } else {
        CHECK(reply.status == 404);
      }
    }
  }
  CHECK(e.alive());
}

TEST_CASE("fields of the wrong JSON type are a 4xx, never a 500") {
  auto& e = env();
  const std::vector<std::string> bodies = {
      R"({"ttl":"120"})", R"({"ttl":1.5})", R"({"matter":[]})", R"({"code":{}})", R"({"document":"x"})",
      R"({"document":{"json":1,"name":7}})", R"({"signature":[1]})", R"([])", R"("text")", R"(null)",
      R"({"status":true,"signature":null,"answer":{"decision":1}})",
  };
  for (const auto& ep : json_endpoints()) {
    for (const auto& body : bodies) {
      const auto reply = send(e.port(), ep.method, ep.path, body, "application/json", ep.op ? e.operator_token : e.token);
      INFO(ep.method << " " << ep.path << " " << body << " -> " << reply.status << " " << reply.body.substr(0, 300));
      CHECK(reply.status >= 400);
      CHECK(reply.status < 500);
      CHECK_FALSE(reply.code().empty());
    }
  }
}

TEST_CASE("duplicate member names are refused, so no two readers see two documents") {
  auto& e = env();
  const auto reply = send(e.port(), "POST", "/api/v1/login-sessions", R"({"ttl":60,"ttl":600})", "application/json",
                          e.token);
  CHECK(reply.status == 400);
  CHECK(reply.code() == "json_duplicate_key");
}

TEST_CASE("a form of a quarter million fields is refused on every form endpoint") {
  auto& e = env();
  std::string many;
  many.reserve(1 << 20);
  while (many.size() < 1000000) many += "a=&";
  for (const char* path : {"/oauth/token", "/oidc/token", "/oidc/authorize", "/admin/login"}) {
    const auto reply = send(e.port(), "POST", path, many, "application/x-www-form-urlencoded");
    INFO(path << " -> " << reply.status << " " << reply.body.substr(0, 300));
    CHECK(reply.status >= 400);
    CHECK(reply.status < 500);
  }
  const auto token = send(e.port(), "POST", "/oauth/token", many, "application/x-www-form-urlencoded");
  CHECK(token.status == 400);
  CHECK(token.code() == "too_many_fields");
  CHECK(e.alive());
}
