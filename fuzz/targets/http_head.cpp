// Request heads as they reach the connection front (host/http/src/edge/front.cpp):
// leading empty lines skipped, the head found (find_head_end) and checked
// (check_request_head) before any Poco parser sees it. Everybody on the
// network can send these bytes. Properties, from RFC 9110/9112 and
// request_head.h rather than from the code:
//   - nothing throws; a refusal is a 4xx (or 505) with a snake_case code;
//   - skip_leading_empty_lines skips only CR and LF; find_head_end returns the
//     first line end that is followed by an empty line;
//   - an accepted head is within the limits (bytes, fields, target, field
//     name and line); every line ends with CRLF and holds no other CR or LF;
//     the request line is METHOD SP TARGET SP HTTP/1.0|1.1 with a token
//     method and a visible-ASCII target; every field name is a token and
//     every value is free of control characters but HTAB; an HTTP/1.1
//     request has exactly one Host; Content-Length and chunked are never
//     both, chunked only in HTTP/1.1, a Content-Length is one decimal
//     number (the same in every such field), and the framing the front
//     reports is the one the headers state;
//   - a head accepted with small limits is accepted with the defaults;
//   - Poco, which reads the head after the front (worker.cpp), sees the
//     same request: it parses without an exception, with the same method,
//     target, version, field names and values, body length and chunking.
//     A difference is a way to show the handler something the checks never
//     saw (e.g. a value Poco rewrites after the checks) or a request that
//     fails after it was accepted.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <zhaoyin/http/edge/request_head.h>
#include <zhaoyin/http/trace_context.h>

using namespace zhaoyin::http::edge;

namespace {

bool tchar(unsigned char c) {
  return std::isalnum(c) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}
bool token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return tchar(static_cast<unsigned char>(c)); });
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
void require(bool ok) {
  if (!ok) std::abort();
}

struct Field {
  std::string name;  // as sent
  std::string value;  // without surrounding SP/HTAB
};

struct Parsed {
  std::string method, target, version;
  std::vector<Field> fields;
};

// The head read by the rules, for a head the checks accepted (so the shape
// is known to hold; every step still verifies it).
Parsed read_accepted(std::string_view head, const HeadLimits& limits) {
  require(head.size() <= limits.max_head_bytes);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < head.size();) {
    const auto lf = head.find('\n', start);
    require(lf != std::string_view::npos && lf > start && head[lf - 1] == '\r');
    const auto line = head.substr(start, lf - 1 - start);
    require(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
    lines.push_back(line);
    start = lf + 1;
  }
  require(lines.size() >= 2 && lines.back().empty());
  lines.pop_back();

  Parsed p;
  const auto line = lines.front();
  const auto sp1 = line.find(' ');
  require(sp1 != std::string_view::npos);
  const auto sp2 = line.find(' ', sp1 + 1);
  require(sp2 != std::string_view::npos && line.find(' ', sp2 + 1) == std::string_view::npos);
  p.method = line.substr(0, sp1);
  p.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  p.version = line.substr(sp2 + 1);
  require(token(p.method) && p.method.size() <= 32);
  require(!p.target.empty() && p.target.size() <= max_target_bytes);
  for (unsigned char c : p.target) require(c > 0x20 && c < 0x7f);
  require(p.version == "HTTP/1.1" || p.version == "HTTP/1.0");

  require(lines.size() - 1 <= limits.max_fields);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto l = lines[i];
    require(l.size() <= max_field_line_bytes);
    const auto colon = l.find(':');
    require(colon != std::string_view::npos);
    Field f{std::string(l.substr(0, colon)), std::string(trim_ows(l.substr(colon + 1)))};
    require(token(f.name) && f.name.size() <= max_field_name_bytes);
    for (unsigned char c : f.value) require(c == '\t' || (c >= 0x20 && c != 0x7f));
    p.fields.push_back(std::move(f));
  }
  return p;
}

void check_framing(const Parsed& p, const HeadInfo& info) {
  int hosts = 0;
  std::vector<std::string> lengths;
  std::string te;
  bool has_te = false;
  for (const auto& f : p.fields) {
    const auto name = lower(f.name);
    if (name == "host") ++hosts;
    if (name == "content-length") lengths.push_back(f.value);
    if (name == "transfer-encoding") {
      has_te = true;
      te += (te.empty() ? "" : ",") + lower(f.value);
    }
  }
  if (p.version == "HTTP/1.1") require(hosts == 1);
  require(!(has_te && !lengths.empty()));
  require(info.chunked == has_te);
  if (has_te) require(p.version == "HTTP/1.1" && trim_ows(te) == "chunked");
  require(info.content_length.has_value() == !lengths.empty());
  // Every Content-Length field is one decimal number, the same in all of them.
  for (const auto& v : lengths) {
    require(!v.empty() && v.size() <= 18 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }));
    require(std::stoull(v) == *info.content_length);
  }
}

// What Poco reads after the front: the same request, or the front let
// through something the handler sees differently.
void check_poco(std::string_view head, const Parsed& p, const HeadInfo& info) {
  Poco::Net::HTTPRequest request;
  std::istringstream in{std::string(head)};
  try {
    request.read(in);
    require(request.getMethod() == p.method && request.getURI() == p.target && request.getVersion() == p.version);
    std::vector<std::pair<std::string, std::string>> ours;
    std::vector<std::pair<std::string, std::string>> poco;
    for (const auto& f : p.fields) ours.emplace_back(lower(f.name), f.value);
    for (const auto& [name, value] : request) poco.emplace_back(lower(name), value);
    std::sort(ours.begin(), ours.end());
    std::sort(poco.begin(), poco.end());
    require(ours == poco);
    // HTTPServerRequestImpl picks the body stream with these.
    require(request.getChunkedTransferEncoding() == info.chunked);
    if (!info.chunked) {
      require(request.hasContentLength() == info.content_length.has_value());
      if (info.content_length)
        require(static_cast<std::uint64_t>(request.getContentLength64()) == *info.content_length);
    }
  } catch (const Poco::Exception&) {
    std::abort();  // accepted at the front, refused (or misread) by Poco: no JSON answer
  }
}

}  // namespace

namespace {

// W3C Trace Context §3.2, written from the text: a version-00 traceparent is
// "00-" 32 lower-case hex "-" 16 lower-case hex "-" 2 lower-case hex, with
// neither id all zeros. The same bytes, read as the value of a traceparent
// field, must be accepted by TraceParent::parse exactly when this says so;
// whatever it accepts (any version) keeps its fields' shapes and round-trips.
bool lower_hex_run(std::string_view s, std::size_t from, std::size_t n, bool nonzero) {
  bool any = false;
  for (std::size_t i = from; i < from + n; ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    any = any || c != '0';
  }
  return any || !nonzero;
}

bool valid_version_00(std::string_view s) {
  return s.size() == 55 && s.substr(0, 3) == "00-" && lower_hex_run(s, 3, 32, true) && s[35] == '-' &&
         lower_hex_run(s, 36, 16, true) && s[52] == '-' && lower_hex_run(s, 53, 2, false);
}

void check_traceparent(std::string_view value) {
  const auto parsed = zhaoyin::http::TraceParent::parse(value);
  if (value.substr(0, 2) == "00") require(parsed.has_value() == valid_version_00(value));
  if (!parsed) return;
  require(value.size() >= 55 && value.substr(0, 2) != "ff");
  require(lower_hex_run(parsed->trace_id, 0, 32, true) && parsed->trace_id.size() == 32);
  require(lower_hex_run(parsed->parent_id, 0, 16, true) && parsed->parent_id.size() == 16);
  require(lower_hex_run(parsed->flags, 0, 2, false) && parsed->flags.size() == 2);
  require(parsed->trace_id == value.substr(3, 32) && parsed->parent_id == value.substr(36, 16));
  const std::string again = parsed->header();
  require(valid_version_00(again));
  if (value.substr(0, 2) == "00") require(again == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string buffer(reinterpret_cast<const char*>(data), size);
  check_traceparent(buffer);
  const std::size_t skipped = skip_leading_empty_lines(buffer);
  require(skipped <= buffer.size());
  for (std::size_t i = 0; i < skipped; ++i) require(buffer[i] == '\r' || buffer[i] == '\n');
  buffer.erase(0, skipped);
  const auto end = find_head_end(buffer);
  if (!end) {
    // No line end followed by an empty line anywhere.
    for (std::size_t i = 0; i + 1 < buffer.size(); ++i)
      require(!(buffer[i] == '\n' && (buffer[i + 1] == '\n' || buffer.compare(i + 1, 2, "\r\n") == 0)));
    return 0;
  }
  require(*end >= 2 && *end <= buffer.size() && buffer[*end - 1] == '\n');
  require(buffer[*end - 2] == '\n' || (*end >= 3 && buffer.compare(*end - 3, 3, "\n\r\n") == 0));
  require(!find_head_end(std::string_view(buffer).substr(0, *end - 1)));  // the first such end
  const std::string_view head = std::string_view(buffer).substr(0, *end);

  HeadLimits small;
  small.max_head_bytes = 512;
  small.max_fields = 4;
  bool accepted_small = false;
  for (const bool tight : {true, false}) {
    const HeadLimits limits = tight ? small : HeadLimits{};
    const HeadResult r = check_request_head(head, limits);
    if (r.problem) {
      const int s = r.problem->status;
      require((s >= 400 && s < 500) || s == 505);
      require(!r.problem->code.empty() && !r.problem->message.empty());
      for (char c : r.problem->code) require((c >= 'a' && c <= 'z') || c == '_');
      require(tight || !accepted_small);  // looser limits never refuse what tighter ones took
      continue;
    }
    if (tight) accepted_small = true;
    const Parsed p = read_accepted(head, limits);
    check_framing(p, r.info);
    check_poco(head, p, r.info);
  }
  return 0;
}
