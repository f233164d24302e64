#pragma once
// W3C Trace Context (Recommendation, 2021-11-23; https://www.w3.org/TR/trace-context/):
// the `traceparent` header that ties the host's log lines and the callbacks a
// request causes to the trace of the relying party that sent it.
//
//   traceparent = version "-" trace-id "-" parent-id "-" trace-flags
//                 2 HEXDIGLC  32 HEXDIGLC   16 HEXDIGLC   2 HEXDIGLC
//
// §3.2.2.1: version "ff" is invalid; version 00 is exactly 55 characters; a
// higher version is parsed as 00 by its first 55 characters, which must be
// followed by "-" or the end. §3.2.2.3/§3.2.2.4: an all-zero trace-id or
// parent-id is invalid. Upper-case hex is not HEXDIGLC, hence invalid.
// §4.3 (restarting): a request without a valid traceparent starts a new trace.
// `tracestate` is neither read nor forwarded (§3.3: a vendor may drop it; we
// add no entry of our own).
#include <optional>
#include <string>
#include <string_view>

namespace zhaoyin::http {

struct TraceParent {
  std::string trace_id;   // 32 lower-case hex digits, not all zero
  std::string parent_id;  // 16 lower-case hex digits, not all zero: the span that made the call
  std::string flags;      // 2 lower-case hex digits; bit 0 = sampled (§3.2.2.5)

  // The header as received, or nullopt when it is not a valid traceparent.
  static std::optional<TraceParent> parse(std::string_view header);
  // A new trace (random trace-id and span id, flags 00: we record no spans).
  static TraceParent start();
  // The same trace with a new span id: what this host sends on for a call it
  // makes (§3.2.2.4: parent-id is the id of the caller's own span).
  TraceParent child() const;
  // version 00 text (§3.2: a vendor sends the version it implements).
  std::string header() const;
};

// The span of the request this thread is serving (set by the edge for the
// length of a request): what a callback queued while serving it records, so
// its delivery, even from another host after a restart, joins the same trace.
class TraceScope {
 public:
  explicit TraceScope(TraceParent span);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

  static const TraceParent* current();  // nullptr outside any scope

 private:
  std::optional<TraceParent> outer_;
};

}  // namespace zhaoyin::http
