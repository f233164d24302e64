// The Authorization header of a signed request to the authority service
// (host/authority/src/signed_request.cpp, docs/AUTHORITY.md §Authentication):
// the service parses it from any client before checking anything else.
// Properties, from the format's rules rather than the parser's code:
//   - it never throws, and accepts nothing longer than kMaxAuthorizationHeader;
//   - an accepted header starts with "Zhaoyin-SM2 ", and its four values are
//     non-empty visible ASCII without '"' or '\';
//   - the nonce is 16 to 64 base64url characters;
//   - the timestamp is a real UTC second and formats back to the same text;
//   - the four values written back in another order parse to the same values.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <zhaoyin/authority/signed_request.h>

using namespace zhaoyin::authority;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool visible_unquoted(const std::string& v) {
  if (v.empty()) return false;
  for (const unsigned char c : v)
    if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string header(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_request_authorization(header);
  const auto time = parse_request_time(header);
  if (time) require(format_request_time(*time) == header);
  if (!parsed) return 0;
  require(header.size() <= kMaxAuthorizationHeader);
  require(header.rfind("Zhaoyin-SM2 ", 0) == 0);
  for (const std::string* v : {&parsed->cert, &parsed->timestamp, &parsed->nonce, &parsed->signature})
    require(visible_unquoted(*v));
  require(parsed->nonce.size() >= 16 && parsed->nonce.size() <= 64);
  for (const char c : parsed->nonce)
    require((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  const auto t = parse_request_time(parsed->timestamp);
  require(t.has_value() && format_request_time(*t) == parsed->timestamp);
  const std::string again = "Zhaoyin-SM2 signature=\"" + parsed->signature + "\",nonce=\"" + parsed->nonce +
                            "\",  timestamp=\"" + parsed->timestamp + "\", cert=\"" + parsed->cert + "\"";
  if (again.size() <= kMaxAuthorizationHeader) {
    const auto reparsed = parse_request_authorization(again);
    require(reparsed && reparsed->cert == parsed->cert && reparsed->timestamp == parsed->timestamp &&
            reparsed->nonce == parsed->nonce && reparsed->signature == parsed->signature);
  }
  return 0;
}
