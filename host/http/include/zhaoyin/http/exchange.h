#pragma once
// One request/response pair as a handler sees it: the Poco request and
// response, the request id, the matched route and its path parameters, and
// helpers that read bodies within the size limit and send JSON or text.
// Helpers throw ApiError for caller mistakes (413, 400 invalid_json, ...).
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <zhaoyin/http/form.h>

namespace zhaoyin::http {

using PathParams = std::map<std::string, std::string>;

class Exchange {
 public:
  Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::string request_id,
           std::size_t max_body_bytes);

  Poco::Net::HTTPServerRequest& request() { return request_; }
  Poco::Net::HTTPServerResponse& response() { return response_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& method() const { return request_.getMethod(); }
  // The raw path (no query), as received.
  const std::string& path() const { return path_; }

  // Path parameters of the matched route, e.g. param("id") for /x/{id}.
  const std::string& param(const std::string& name) const;  // std::out_of_range if the route has none
  void set_route(std::string pattern, PathParams params);
  const std::string& route() const { return route_; }

  // Query parameters (decoded); 400 invalid_request if the query string is malformed.
  std::optional<std::string> query(const std::string& name) const;
  // A header value, if present.
  std::optional<std::string> header(const std::string& name) const;

  // The body, read once and cached; 413 payload_too_large beyond the limit.
  const std::string& body();
  bool body_read() const { return body_read_; }
  // The body as JSON: 415 unsupported_media_type for a non-JSON Content-Type,
  // 400 invalid_json for an empty or malformed body.
  nlohmann::json json_body();
  // The body as application/x-www-form-urlencoded: 415 for another Content-Type,
  // 400 invalid_request for bad escapes or a repeated field.
  FormFields form_body();

  void send_json(int status, const nlohmann::json& body);
  void send_text(int status, const std::string& content_type, std::string_view body);
  void send_empty(int status);
  bool sent() const { return response_.sent(); }

  // Called with the status just before the response goes out, so the edge can
  // count a request before the client can observe its answer (a client that
  // reads /metrics right after a response must see that response counted).
  void on_send(std::function<void(int status)> hook) { on_send_ = std::move(hook); }

  // The SPEC error body for an ApiError-like refusal; used by the edge.
  static nlohmann::json error_body(const std::string& code, const std::string& message);

 private:
  void before_send(int status);
  bool has_body() const;

  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
  std::string request_id_;
  std::size_t max_body_bytes_;
  std::string path_;
  std::string query_;
  std::string route_;
  PathParams params_;
  std::string body_;
  bool body_read_ = false;
  std::function<void(int)> on_send_;
};

// A handler serves one route. The router creates a fresh one per request, so
// handlers may keep per-request state in members; shared state lives in the
// HostContext they are given.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(Exchange& ex) = 0;
};

}  // namespace zhaoyin::http
