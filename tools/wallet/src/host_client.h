#pragma once
// The wallet's HTTP calls to a host: GET a request, POST an answer, both JSON.
// Plain http only for now (the sandbox host on loopback); https with the
// platform's certificate check is future work (docs/protocol/login.md).
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace zhaoyin::wallet {

struct HostReply {
  int status = 0;
  nlohmann::json body;  // null when the body was not JSON
  std::string raw;
  bool ok() const { return status >= 200 && status < 300; }
  // The host's error code ({"error":{"code":...}}), or "http_<status>".
  std::string error_code() const;
  std::string error_message() const;
};

// Throws std::runtime_error for an unsupported URL or a network failure.
HostReply http_get_json(const std::string& url);
HostReply http_post_json(const std::string& url, const nlohmann::json& body);

}  // namespace zhaoyin::wallet
