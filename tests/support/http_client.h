#pragma once
// The tests' HTTP client: one request per connection (Poco), every captured
// response checked against docs/openapi.yaml (openapi_capture.h), and the
// wallet's two plain HTTP steps — fetching the request behind a QR text and
// posting an answer to its answer_url. Shared by the login, signing and
// cluster environments (login_env.h, signing_env.h, cluster_env.h).
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <openapi_capture.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::test {

using nlohmann::json;

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  json as_json() const { return json::parse(body, nullptr, false); }
  std::string code() const {
    const auto j = as_json();
    if (j.is_object() && j.contains("error")) return j["error"].value("code", "");
    return "";
  }
  std::vector<std::uint8_t> bytes() const { return std::vector<std::uint8_t>(body.begin(), body.end()); }
};

inline Reply http(const std::string& method, const std::string& url, const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {}) {
  const Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) request.set(k, v);
  if (!body.empty() || method == "POST") {
    if (!request.has("Content-Type")) request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Reply r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  for (const auto& [k, v] : response) r.headers[k] = v;
  openapi_capture(method, uri.getPathAndQuery(), r.status, response.get("Content-Type", ""), r.body);
  return r;
}

inline std::map<std::string, std::string> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// GET the wallet request behind a QR text (moves the flow to scanned).
inline json fetch_request(const std::string& qr_text) {
  const auto r = http("GET", qr_text);
  if (r.status != 200) throw std::runtime_error("fetch: " + r.body);
  return r.as_json()["request"];
}

// POST a wallet answer to the request's answer_url.
inline Reply post_answer(const json& request, const json& body) {
  return http("POST", request["answer_url"].get<std::string>(), body.dump());
}

}  // namespace zhaoyin::test
