#include <zhaoyin/http/edge/request_head.h>

#include <Poco/Net/MessageHeader.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace zhaoyin::http::edge {

namespace {

// tchar (RFC 9110 §5.6.2): the characters of a token (methods, field names).
bool is_tchar(unsigned char c) {
  if (std::isalnum(c) != 0) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadResult refuse(int status, std::string code, std::string message) {
  HeadResult r;
  r.problem = HeadProblem{status, std::move(code), std::move(message)};
  return r;
}

// Splits the head into lines; every line must end with CRLF (a bare LF or a
// CR elsewhere is refused: RFC 9112 §2.2 lets a server reject them, and
// differing readings of line ends are a smuggling vector).
bool split_lines(std::string_view head, std::vector<std::string_view>& lines) {
  std::size_t start = 0;
  while (start < head.size()) {
    const auto lf = head.find('\n', start);
    if (lf == std::string_view::npos || lf == start || head[lf - 1] != '\r') return false;
    const auto line = head.substr(start, lf - 1 - start);
    if (line.find('\r') != std::string_view::npos) return false;
    lines.push_back(line);
    start = lf + 1;
  }
  return true;
}

// A field value: VCHAR, obs-text, SP and HTAB (RFC 9110 §5.5); NUL and other
// controls are refused.
bool valid_field_value(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7F);
  });
}

// Poco's MessageHeader::read passes every value it reads — after these
// checks — through decodeWord, which decodes RFC 2047 encoded words
// ("=?UTF-8?B?DQo=?=" becomes CR LF), drops a "=?" that starts none, and
// throws on some malformed ones. A handler would then see bytes never
// checked here (CR, LF, NUL), or the request would fail inside Poco with no
// answer (found by fuzz_http_head). HTTP has no use for encoded words
// (RFC 9110 §5.5): a value that Poco would not read as it is is refused.
bool rewritten_by_poco(std::string_view value) {
  if (value.find("=?") == std::string_view::npos) return false;
  const std::string text(value);
  try {
    return Poco::Net::MessageHeader::decodeWord(text) != text;
  } catch (const std::exception&) {  // Poco::Exception is one
    return true;
  }
}

}  // namespace

std::size_t skip_leading_empty_lines(std::string_view buffer) {
  std::size_t i = 0;
  while (true) {
    if (buffer.substr(i, 2) == "\r\n") i += 2;
    else if (buffer.substr(i, 1) == "\n") i += 1;
    else return i;
  }
}

std::optional<std::size_t> find_head_end(std::string_view buffer) {
  for (std::size_t i = buffer.find('\n'); i != std::string_view::npos; i = buffer.find('\n', i + 1)) {
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

HeadResult check_request_head(std::string_view head, const HeadLimits& limits) {
  if (head.size() > limits.max_head_bytes)
    return refuse(431, "header_too_large",
                  "the request head is larger than " + std::to_string(limits.max_head_bytes) + " bytes");
  std::vector<std::string_view> lines;
  if (!split_lines(head, lines) || lines.size() < 2 || !lines.back().empty())
    return refuse(400, "bad_request", "malformed request head: every line must end with CRLF (RFC 9112 §2.2)");
  lines.pop_back();  // the empty line that ends the head

  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
  const std::string_view request_line = lines.front();
  const auto sp1 = request_line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos)
    return refuse(400, "bad_request_line", "malformed request line: expected METHOD SP TARGET SP HTTP-VERSION");
  const auto method = request_line.substr(0, sp1);
  const auto target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = request_line.substr(sp2 + 1);
  if (!is_token(method) || method.size() > 32)
    return refuse(400, "bad_request_line", "malformed request line: the method is not a token");
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c < 0x7F;
      }))
    return refuse(400, "bad_request_line", "malformed request line: the request target is empty or not visible ASCII");
  if (target.size() > max_target_bytes)
    return refuse(414, "uri_too_long", "the request target is longer than " + std::to_string(max_target_bytes) + " bytes");
  const bool version_shape = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                             std::isdigit(static_cast<unsigned char>(version[5])) != 0 && version[6] == '.' &&
                             std::isdigit(static_cast<unsigned char>(version[7])) != 0;
  if (!version_shape) return refuse(400, "bad_request_line", "malformed request line: bad HTTP version");
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return refuse(505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served");
  const bool http11 = version == "HTTP/1.1";

  if (lines.size() - 1 > limits.max_fields)
    return refuse(431, "header_too_large",
                  "the request has more than " + std::to_string(limits.max_fields) + " header fields");

  HeadResult result;
  int hosts = 0;
  std::optional<std::string> content_length;
  std::string transfer_encoding;
  bool has_transfer_encoding = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.size() > max_field_line_bytes)
      return refuse(431, "header_too_large",
                    "a header field is longer than " + std::to_string(max_field_line_bytes) + " bytes");
    // obs-fold (RFC 9112 §5.2): a server may reject it with 400, and does.
    if (line.front() == ' ' || line.front() == '\t')
      return refuse(400, "bad_header", "obsolete line folding is not accepted in header fields (RFC 9112 §5.2)");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return refuse(400, "bad_header", "malformed header field: a line has no colon");
    const auto name = line.substr(0, colon);
    if (name.size() > max_field_name_bytes)
      return refuse(431, "header_too_large",
                    "a header field name is longer than " + std::to_string(max_field_name_bytes) + " bytes");
    // No whitespace between name and colon: RFC 9112 §5.1 requires a 400.
    if (!is_token(name)) return refuse(400, "bad_header", "malformed header field name");
    const auto value = trim(line.substr(colon + 1));
    if (!valid_field_value(value))
      return refuse(400, "bad_header", "a header field value holds control characters");
    if (rewritten_by_poco(value))
      return refuse(400, "bad_header", "a header field value holds \"=?\" (an RFC 2047 encoded word), which HTTP does not use");

    const std::string key = lower(name);
    if (key == "host") {
      ++hosts;
    } else if (key == "content-length") {
      // One decimal number per field. RFC 9110 §8.6 lets a recipient either
      // refuse a list ("5, 5") or fold it into one value; Poco, which reads
      // the head after these checks, does neither (its getContentLength64
      // throws), so such a request used to be accepted here and then dropped
      // without an answer (found by fuzz_http_head). It is refused instead.
      // The same number in several fields is still one length.
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return refuse(400, "bad_content_length", "the Content-Length header is not one decimal number");
      if (content_length && *content_length != value)
        return refuse(400, "bad_content_length", "the request has conflicting Content-Length values");
      content_length = std::string(value);
    } else if (key == "transfer-encoding") {
      has_transfer_encoding = true;
      transfer_encoding += (transfer_encoding.empty() ? "" : ",") + lower(value);
    } else if (key == "expect") {
      result.info.expect_continue = lower(value) == "100-continue";
    }
  }

  if (http11 && hosts != 1)
    return refuse(400, "bad_header", "an HTTP/1.1 request must carry exactly one Host header (RFC 9112 §3.2)");
  if (has_transfer_encoding) {
    // Both framings at once are the classic smuggling shape (RFC 9112 §6.1, §6.3).
    if (content_length)
      return refuse(400, "bad_request", "a request must not carry both Transfer-Encoding and Content-Length");
    if (!http11) return refuse(400, "bad_request", "Transfer-Encoding is not valid in an HTTP/1.0 request");
    if (trim(transfer_encoding) != "chunked")
      return refuse(400, "unsupported_transfer_encoding", "only Transfer-Encoding: chunked is accepted");
    result.info.chunked = true;
  }
  if (content_length) result.info.content_length = std::stoull(*content_length);
  return result;
}

}  // namespace zhaoyin::http::edge
