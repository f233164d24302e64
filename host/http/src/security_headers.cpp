#include <zhaoyin/http/security_headers.h>

namespace zhaoyin::http {

namespace {

constexpr const char* kCsp = "Content-Security-Policy";
constexpr const char* kXfo = "X-Frame-Options";
constexpr const char* kNoFraming = "frame-ancestors 'none'";

// A CSP source expression for an origin: scheme://host[:port] with nothing
// that could end the directive or start another.
bool plain_origin(const std::string& o) {
  if (o.rfind("https://", 0) != 0 && o.rfind("http://", 0) != 0) return false;
  const auto rest = o.substr(o.find("://") + 3);
  if (rest.empty()) return false;
  for (char c : rest) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void set_default_security_headers(Poco::Net::HTTPServerResponse& response) {
  response.set(kXfo, "DENY");
  response.set(kCsp, kNoFraming);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "same-origin");
}

void ensure_frame_protection(Poco::Net::HTTPServerResponse& response) {
  std::string csp = response.get(kCsp, "");
  if (csp.find("frame-ancestors") == std::string::npos) {
    while (!csp.empty() && (csp.back() == ' ' || csp.back() == ';')) csp.pop_back();
    csp += csp.empty() ? kNoFraming : std::string("; ") + kNoFraming;
    response.set(kCsp, csp);
  }
  if (csp.find(kNoFraming) != std::string::npos) response.set(kXfo, "DENY");
}

void allow_framing_by(Poco::Net::HTTPServerResponse& response, const std::vector<std::string>& origins) {
  std::string sources;
  for (const auto& o : origins)
    if (plain_origin(o)) sources += " " + o;
  if (sources.empty()) return;  // nobody registered: stays 'none'
  std::string csp = response.get(kCsp, "");
  const auto at = csp.find(kNoFraming);
  if (at != std::string::npos) csp.erase(at, std::string(kNoFraming).size());
  while (!csp.empty() && (csp.back() == ' ' || csp.back() == ';')) csp.pop_back();
  csp += (csp.empty() ? "" : "; ") + std::string("frame-ancestors") + sources;
  response.set(kCsp, csp);
  response.erase(kXfo);
}

}  // namespace zhaoyin::http
