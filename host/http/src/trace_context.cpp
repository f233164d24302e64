#include <zhaoyin/http/trace_context.h>

#include <algorithm>
#include <utility>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::http {

namespace {

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

std::string random_hex(std::size_t bytes) {
  for (;;) {  // an all-zero id is invalid (§3.2.2.3); 2^-64 at worst, but cheap to rule out
    std::string id = trust::hex_encode(trust::random_bytes(bytes));
    if (!all_zero(id)) return id;
  }
}

}  // namespace

std::optional<TraceParent> TraceParent::parse(std::string_view h) {
  constexpr std::size_t kLength = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2
  if (h.size() < kLength) return std::nullopt;
  const std::string_view version = h.substr(0, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (version == "00" ? h.size() != kLength : (h.size() > kLength && h[kLength] != '-')) return std::nullopt;
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const std::string_view trace = h.substr(3, 32), parent = h.substr(36, 16), flags = h.substr(53, 2);
  if (!lower_hex(trace) || !lower_hex(parent) || !lower_hex(flags)) return std::nullopt;
  if (all_zero(trace) || all_zero(parent)) return std::nullopt;
  return TraceParent{std::string(trace), std::string(parent), std::string(flags)};
}

TraceParent TraceParent::start() { return TraceParent{random_hex(16), random_hex(8), "00"}; }

TraceParent TraceParent::child() const { return TraceParent{trace_id, random_hex(8), flags}; }

namespace {
thread_local std::optional<TraceParent> t_span;
}  // namespace

TraceScope::TraceScope(TraceParent span) : outer_(std::exchange(t_span, std::move(span))) {}

TraceScope::~TraceScope() { t_span = std::move(outer_); }

const TraceParent* TraceScope::current() { return t_span ? &*t_span : nullptr; }

std::string TraceParent::header() const { return "00-" + trace_id + "-" + parent_id + "-" + flags; }

}  // namespace zhaoyin::http
