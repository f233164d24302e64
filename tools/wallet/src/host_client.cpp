#include "host_client.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <zhaoyin/protocol/json_reader.h>

namespace zhaoyin::wallet {

namespace {

HostReply exchange(const std::string& method, const std::string& url, const std::string* body) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw std::runtime_error("not a URL: " + url);
  }
  if (uri.getScheme() == "https") throw std::runtime_error("https hosts are not supported by this wallet version: " + url);
  if (uri.getScheme() != "http" || uri.getHost().empty()) throw std::runtime_error("not an http URL: " + url);
  try {
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", "application/json");
    request.set("User-Agent", "zhaoyin-wallet");
    if (body) {
      request.setContentType("application/json; charset=utf-8");
      request.setContentLength(static_cast<std::streamsize>(body->size()));
      session.sendRequest(request) << *body;
    } else {
      session.sendRequest(request);
    }
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HostReply reply;
    reply.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, reply.raw);
    // The host's answer is outside input to the wallet: read within limits.
    try {
      reply.body = protocol::read_json(reply.raw);
    } catch (const protocol::JsonInputError&) {
      reply.body = nullptr;
    }
    return reply;
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot reach " + uri.getHost() + ":" + std::to_string(uri.getPort()) + ": " + e.displayText());
  }
}

}  // namespace

std::string HostReply::error_code() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("code") &&
      body["error"]["code"].is_string())
    return body["error"]["code"].get<std::string>();
  return "http_" + std::to_string(status);
}

std::string HostReply::error_message() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("message") &&
      body["error"]["message"].is_string())
    return body["error"]["message"].get<std::string>();
  return raw.substr(0, 200);
}

HostReply http_get_json(const std::string& url) { return exchange(Poco::Net::HTTPRequest::HTTP_GET, url, nullptr); }

HostReply http_post_json(const std::string& url, const nlohmann::json& body) {
  const std::string text = body.dump();
  return exchange(Poco::Net::HTTPRequest::HTTP_POST, url, &text);
}

}  // namespace zhaoyin::wallet
