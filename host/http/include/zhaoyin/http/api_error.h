#pragma once
// The one exception type handlers throw for anything the caller did wrong (or
// that the caller must be told about). The edge turns it into
//   HTTP <status>, {"error":{"code":"<code>","message":"<message>"}}
// plus any extra headers (WWW-Authenticate, Allow, Retry-After, ...).
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace zhaoyin::http {

class ApiError : public std::runtime_error {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  ApiError(int status, std::string code, const std::string& message, Headers headers = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), headers_(std::move(headers)) {}

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }  // snake_case, stable
  const Headers& headers() const noexcept { return headers_; }

  // Common refusals.
  static ApiError bad_request(const std::string& message) { return {400, "invalid_request", message}; }
  static ApiError not_found(const std::string& message) { return {404, "not_found", message}; }
  static ApiError forbidden(std::string code, const std::string& message) { return {403, std::move(code), message}; }

 private:
  int status_;
  std::string code_;
  Headers headers_;
};

}  // namespace zhaoyin::http
