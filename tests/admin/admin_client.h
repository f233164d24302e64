#pragma once
// A browser-like client for the /admin pages: keeps the staff session cookie,
// posts forms, reads the CSRF token out of a page, and returns the raw
// Set-Cookie and Location headers so tests can check their attributes.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <bound_session.h>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/http/form.h>

namespace zhaoyin::test {

struct PageReply {
  int status = 0;
  std::string body;
  std::string location;
  std::string content_type;
  std::vector<std::string> set_cookies;
  std::string retry_after;  // the Retry-After header ("" when none)
  Poco::Net::NameValueCollection headers;  // every response header

  // data-error-code="..." of the page's error notice ("" when none).
  std::string error_code() const {
    const std::string marker = "data-error-code=\"";
    const auto at = body.find(marker);
    if (at == std::string::npos) return "";
    const auto end = body.find('"', at + marker.size());
    return body.substr(at + marker.size(), end - at - marker.size());
  }
};

class AdminClient {
 public:
  explicit AdminClient(int port) : port_(port) {}
  // Connects from `source_ip` (127.0.0.x) instead of 127.0.0.1: another
  // source address as far as the host's throttling is concerned.
  AdminClient(int port, std::string source_ip) : port_(port), source_ip_(std::move(source_ip)) {}

  PageReply get(const std::string& path) { return send("GET", path, ""); }

  PageReply post(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + http::form_encode(k) + "=" + http::form_encode(v);
    return send("POST", path, body);
  }

  // Signs in and keeps the session cookie; returns the reply to the POST.
  PageReply sign_in(const std::string& username, const std::string& password, const std::string& next = "") {
    std::vector<std::pair<std::string, std::string>> fields = {{"username", username}, {"password", password}};
    if (!next.empty()) fields.emplace_back("next", next);
    return post("/admin/login", fields);
  }

  // The CSRF token in the forms of `path` (any signed-in page has one in the sign-out form).
  std::string csrf(const std::string& path = "/admin/") {
    const auto page = get(path);
    const std::string marker = "name=\"csrf\" value=\"";
    const auto at = page.body.find(marker);
    if (at == std::string::npos) return "";
    const auto end = page.body.find('"', at + marker.size());
    return page.body.substr(at + marker.size(), end - at - marker.size());
  }

  const std::string& cookie() const { return cookie_; }
  void set_cookie(std::string value) { cookie_ = std::move(value); }

 private:
  PageReply send(const std::string& method, const std::string& path, const std::string& body) {
    std::unique_ptr<Poco::Net::HTTPClientSession> owned =
        source_ip_.empty()
            ? std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", static_cast<Poco::UInt16>(port_))
            : session_from(source_ip_, static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPClientSession& session = *owned;
    session.setTimeout(Poco::Timespan(120, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost("127.0.0.1", static_cast<Poco::UInt16>(port_));
    if (!cookie_.empty()) request.set("Cookie", "zhaoyin_staff=" + cookie_);
    if (method == "POST") {
      request.setContentType("application/x-www-form-urlencoded");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
      session.sendRequest(request) << body;
    } else {
      session.sendRequest(request);
    }
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    PageReply reply;
    reply.status = static_cast<int>(response.getStatus());
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    reply.body = out.str();
    reply.location = response.get("Location", "");
    reply.content_type = response.getContentType();
    reply.retry_after = response.get("Retry-After", "");
    for (const auto& [name, value] : response) reply.headers.add(name, value);
    for (auto it = response.find("Set-Cookie"); it != response.end() && Poco::icompare(it->first, "Set-Cookie") == 0; ++it) {
      reply.set_cookies.push_back(it->second);
      // Keep the session the way a browser would: a new value, or cleared.
      const std::string prefix = "zhaoyin_staff=";
      if (it->second.rfind(prefix, 0) == 0) cookie_ = it->second.substr(prefix.size(), it->second.find(';') - prefix.size());
    }
    return reply;
  }

  int port_;
  std::string source_ip_;
  std::string cookie_;
};

}  // namespace zhaoyin::test
