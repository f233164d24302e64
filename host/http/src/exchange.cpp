#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/log.h>

#include <Poco/Net/MediaType.h>
#include <Poco/String.h>
#include <istream>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/protocol/json_reader.h>

namespace zhaoyin::http {

namespace {

// The media type without parameters, lower-cased; "" when absent or unparsable.
std::string media_type(const Poco::Net::HTTPServerRequest& request) {
  if (!request.has("Content-Type")) return {};
  try {
    Poco::Net::MediaType mt(request.getContentType());
    return Poco::toLower(mt.getType() + "/" + mt.getSubType());
  } catch (const Poco::Exception&) {
    return "invalid";
  }
}

}  // namespace

Exchange::Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   std::string request_id, std::size_t max_body_bytes)
    : request_(request), response_(response), request_id_(std::move(request_id)), max_body_bytes_(max_body_bytes) {
  // Clients never send a fragment; everything after '?' is the query.
  const std::string& uri = request_.getURI();
  const std::size_t q = uri.find('?');
  path_ = uri.substr(0, q);
  if (q != std::string::npos) query_ = uri.substr(q + 1);
}

const std::string& Exchange::param(const std::string& name) const { return params_.at(name); }

void Exchange::set_route(std::string pattern, PathParams params) {
  route_ = std::move(pattern);
  params_ = std::move(params);
}

std::optional<std::string> Exchange::query(const std::string& name) const {
  FormFields fields;
  try {
    fields = parse_form(query_);
  } catch (const FormError& e) {
    throw ApiError(400, e.code(), std::string("malformed query string: ") + e.what());
  }
  for (auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> Exchange::header(const std::string& name) const {
  if (!request_.has(name)) return std::nullopt;
  return request_.get(name);
}

bool Exchange::has_body() const {
  if (request_.getChunkedTransferEncoding()) return true;
  return request_.hasContentLength() && request_.getContentLength64() > 0;
}

const std::string& Exchange::body() {
  if (body_read_) return body_;
  if (request_.hasContentLength() && request_.getContentLength64() > static_cast<Poco::Int64>(max_body_bytes_))
    throw ApiError(413, "payload_too_large",
                   "the request body is larger than " + std::to_string(max_body_bytes_) + " bytes");
  std::istream& in = request_.stream();
  std::string data;
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof buffer);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (data.size() + n > max_body_bytes_)
      throw ApiError(413, "payload_too_large",
                     "the request body is larger than " + std::to_string(max_body_bytes_) + " bytes");
    data.append(buffer, n);
  }
  body_ = std::move(data);
  body_read_ = true;
  return body_;
}

nlohmann::json Exchange::json_body() {
  const std::string type = media_type(request_);
  const bool json_type = type.empty() || type == "application/json" ||
                         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
  if (!json_type)
    throw ApiError(415, "unsupported_media_type", "expected Content-Type application/json, got " + type);
  const std::string& text = body();
  if (text.empty()) throw ApiError(400, "invalid_json", "the request body is empty; a JSON document is expected");
  try {
    return protocol::read_json(text);
  } catch (const protocol::JsonInputError& e) {
    throw ApiError(400, e.code(), std::string("the request body is refused: ") + e.what());
  }
}

FormFields Exchange::form_body() {
  const std::string type = media_type(request_);
  if (type != "application/x-www-form-urlencoded")
    throw ApiError(415, "unsupported_media_type",
                   "expected Content-Type application/x-www-form-urlencoded" +
                       (type.empty() ? std::string() : ", got " + type));
  FormFields fields;
  try {
    fields = parse_form(body());
  } catch (const FormError& e) {
    throw ApiError(400, e.code(), std::string("malformed form body: ") + e.what());
  }
  // RFC 6749 §3.2: request parameters MUST NOT be included more than once.
  // A hash set keeps this linear in the number of fields.
  if (const auto repeated = first_repeated_name(fields))
    throw ApiError::bad_request("the parameter '" + *repeated + "' is repeated");
  return fields;
}

void Exchange::before_send(int status) {
  // An unread body would be parsed as the next request on this connection.
  if (!body_read_ && has_body()) response_.setKeepAlive(false);
  if (on_send_) on_send_(status);
}

void Exchange::send_json(int status, const nlohmann::json& body) {
  const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  send_text(status, "application/json; charset=utf-8", text);
}

void Exchange::send_text(int status, const std::string& content_type, std::string_view body) {
  before_send(status);
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType(content_type);
  // Head and body in one buffered write (one syscall, one segment with
  // TCP_NODELAY) rather than the head flushed by send() and the body after it;
  // Poco sends the buffered bytes when the response ends. A HEAD request gets
  // the head alone, with the length the body would have.
  constexpr std::size_t kOneWrite = 1 << 20;
  if (request_.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD && body.size() <= kOneWrite) {
    response_.sendBuffer(body.data(), body.size());
    return;
  }
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  std::ostream& out = response_.send();
  if (request_.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();
}

void Exchange::send_empty(int status) {
  before_send(status);
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentLength64(0);
  response_.send().flush();
}

nlohmann::json Exchange::error_body(const std::string& code, const std::string& message) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  // The id in the X-Request-Id header and in the host's log lines (LogScope),
  // repeated where integrators look first: the error they were handed.
  if (!LogScope::request_id().empty()) error["request_id"] = LogScope::request_id();
  return {{"error", std::move(error)}};
}

}  // namespace zhaoyin::http
