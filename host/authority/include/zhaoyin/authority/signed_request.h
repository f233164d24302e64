#pragma once
// Signed requests to the authority service (docs/AUTHORITY.md §Authentication):
// a relying-party host proves itself with the host certificate the
// relying-party CA issued it (docs/PROTOCOL.md §2.3) by signing, SM2 with SM3
// and the distinguishing ID 1234567812345678, a canonical string that binds
// the method, the request target, a timestamp, a nonce and the SM3 of the body:
//
//   ZHAOYIN-AUTHORITY-REQUEST-V1 LF METHOD LF TARGET LF TIMESTAMP LF NONCE LF hex(SM3(body))
//
// sent in one header:
//
//   Authorization: Zhaoyin-SM2 cert="<base64 DER host certificate>",
//     timestamp="<YYYY-MM-DDTHH:MM:SSZ>", nonce="<16-64 base64url characters>",
//     signature="<base64 DER SM2 signature>"
//
// Shared by the service (which checks it) and any client (the host's
// authority connector, tests), so both build the same bytes.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::authority {

inline constexpr std::string_view kSignedRequestScheme = "Zhaoyin-SM2";
inline constexpr std::size_t kMaxAuthorizationHeader = 8192;

// The four parameters of the header, still encoded as sent.
struct RequestAuthorization {
  std::string cert;       // base64 DER
  std::string timestamp;  // YYYY-MM-DDTHH:MM:SSZ
  std::string nonce;      // base64url, 16 to 64 characters
  std::string signature;  // base64 DER
};

// Parses an Authorization header value; nullopt when it is not exactly the
// scheme followed by the four quoted parameters, each once, in any order,
// within kMaxAuthorizationHeader bytes (the fuzz target fuzz_authority_request).
std::optional<RequestAuthorization> parse_request_authorization(std::string_view header);

// The exact bytes that are signed.
std::string canonical_request(std::string_view method, std::string_view target, std::string_view timestamp,
                              std::string_view nonce, std::string_view body);

// "2026-12-07T10:00:00Z" <-> time point (seconds; years 1970 to 2199; nullopt for anything else).
std::string format_request_time(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parse_request_time(std::string_view text);

// Builds the Authorization header value for a request (a fresh random nonce
// unless one is given).
std::string sign_request(const trust::Certificate& host_cert, const trust::Sm2Key& host_key,
                         std::string_view method, std::string_view target, std::string_view body,
                         std::chrono::system_clock::time_point now, std::string nonce = {});

}  // namespace zhaoyin::authority
