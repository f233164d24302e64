#include <zhaoyin/http/router.h>

#include <Poco/String.h>
#include <algorithm>
#include <stdexcept>

namespace zhaoyin::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a path segment ('+' stays '+'); nullopt on a bad escape.
std::optional<std::string> decode_segment(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

Router::Compiled Router::compile(const std::string& pattern) {
  if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
  Compiled c;
  for (const auto& part : split_path(pattern)) {
    Segment seg;
    const std::size_t open = part.find('{');
    if (open == std::string::npos) {
      if (part.find('}') != std::string::npos) throw std::invalid_argument("unbalanced '}' in route " + pattern);
      seg.literal = part;
      c.specificity += 1000 + static_cast<int>(part.size());
    } else {
      const std::size_t close = part.find('}', open);
      if (close == std::string::npos || close == open + 1 || part.find('{', open + 1) != std::string::npos)
        throw std::invalid_argument("bad parameter in route " + pattern);
      seg.is_param = true;
      seg.literal = part.substr(0, open);
      seg.name = part.substr(open + 1, close - open - 1);
      seg.suffix = part.substr(close + 1);
      c.specificity += static_cast<int>(seg.literal.size() + seg.suffix.size());
    }
    c.segments.push_back(std::move(seg));
  }
  return c;
}

void Router::add(std::string method, std::string pattern, Factory factory) {
  method = Poco::toUpper(method);
  if (!factory) throw std::invalid_argument("route " + method + " " + pattern + " has no handler");
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern)
      throw std::invalid_argument("route " + method + " " + pattern + " is registered twice");
  }
  compiled_.push_back(compile(pattern));
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(factory)});
}

bool Router::match_segments(const Compiled& c, const std::vector<std::string>& raw, PathParams& params) {
  if (c.segments.size() != raw.size()) return false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const Segment& seg = c.segments[i];
    const std::string& part = raw[i];
    if (!seg.is_param) {
      if (part != seg.literal) return false;
      continue;
    }
    if (part.size() <= seg.literal.size() + seg.suffix.size()) return false;  // parameter must be non-empty
    if (part.compare(0, seg.literal.size(), seg.literal) != 0) return false;
    if (part.compare(part.size() - seg.suffix.size(), seg.suffix.size(), seg.suffix) != 0) return false;
    auto value = decode_segment(part.substr(seg.literal.size(), part.size() - seg.literal.size() - seg.suffix.size()));
    if (!value || value->empty() || value->find('/') != std::string::npos) return false;
    params[seg.name] = std::move(*value);
  }
  return true;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  if (path.empty() || path[0] != '/') return m;
  const auto raw = split_path(path);
  const std::string upper = Poco::toUpper(std::string(method));
  int best = -1;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    PathParams params;
    if (!match_segments(compiled_[i], raw, params)) continue;
    if (routes_[i].method != upper) {
      if (std::find(m.allowed.begin(), m.allowed.end(), routes_[i].method) == m.allowed.end())
        m.allowed.push_back(routes_[i].method);
      continue;
    }
    if (compiled_[i].specificity > best) {
      best = compiled_[i].specificity;
      m.route = &routes_[i];
      m.params = std::move(params);
    }
  }
  if (m.route) {
    m.outcome = Outcome::Found;
    m.allowed.clear();
  } else if (!m.allowed.empty()) {
    m.outcome = Outcome::MethodNotAllowed;
    std::sort(m.allowed.begin(), m.allowed.end());
  }
  return m;
}

}  // namespace zhaoyin::http
