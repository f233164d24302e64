#pragma once
// Strict checks of a request head (request line and field lines, RFC 9112 §2-§6)
// before any Poco parser sees it. Poco's MessageHeader silently skips lines
// without a colon and accepts whitespace before it; both are ways to smuggle a
// field past a proxy that reads the head differently, so they are refused here
// with the SPEC's JSON error shape instead.
//
// The limits are also kept below Poco's own (method 32, target 16384, field
// name 256, value 8192, 100 fields), so a head that passes never makes Poco throw.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zhaoyin::http::edge {

struct HeadLimits {
  std::size_t max_head_bytes = 32768;  // http.max_header_bytes: request line + fields
  std::size_t max_fields = 100;        // http.max_header_fields
};

// Why a head is refused: the status and the error code of the JSON answer.
struct HeadProblem {
  int status = 400;
  std::string code;
  std::string message;
};

// What the front needs to know about an acceptable head.
struct HeadInfo {
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool expect_continue = false;
};

struct HeadResult {
  std::optional<HeadProblem> problem;
  HeadInfo info;
};

// Longest request-target accepted (414 uri_too_long beyond; RFC 9112 §3 asks
// for at least 8000 octets).
constexpr std::size_t max_target_bytes = 8192;
// Longest field name and field line (431 beyond).
constexpr std::size_t max_field_name_bytes = 256;
constexpr std::size_t max_field_line_bytes = 8192;

// Leading empty lines (CRLF) before a request line are ignored (RFC 9112 §2.2);
// returns how many bytes of `buffer` they take.
std::size_t skip_leading_empty_lines(std::string_view buffer);

// The length of the head (including the empty line that ends it) when `buffer`
// holds a whole one; nullopt while more bytes are needed. A bare LF ends a line
// here too, so such a head is found and then refused with a clear message
// rather than waited on until the deadline.
std::optional<std::size_t> find_head_end(std::string_view buffer);

// Checks the head (as found by find_head_end).
HeadResult check_request_head(std::string_view head, const HeadLimits& limits);

}  // namespace zhaoyin::http::edge
