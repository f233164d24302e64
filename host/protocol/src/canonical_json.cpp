#include <zhaoyin/protocol/canonical_json.h>

#include <charconv>
#include <ctime>

namespace zhaoyin::protocol {

std::string canonical_json(const nlohmann::json& value) {
  // dump() without indent uses "," and ":" with no spaces; ensure_ascii off
  // keeps Chinese text as UTF-8 bytes rather than \u escapes. Invalid UTF-8
  // throws (type_error 316) rather than being signed in some lossy form.
  return value.dump(-1, ' ', false);
}

trust::Bytes canonical_bytes(const nlohmann::json& value) { return trust::to_bytes(canonical_json(value)); }

std::string rfc3339(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return std::from_chars(s.data() + pos, s.data() + pos + n, out).ec == std::errc{};
}
}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  const std::time_t t = timegm(&tm);
  std::tm check{};
  gmtime_r(&t, &check);
  if (check.tm_mday != d || check.tm_mon != mo - 1) return std::nullopt;  // 2026-02-31
  // system_clock counts nanoseconds in 64 bits (years 1677-2262); from_time_t
  // of a time outside that overflows (UB, found by fuzz_canonical_json with
  // "3026-11-23T10:00:20.123Z"). Such a time is refused, as der::as_time does.
  using namespace std::chrono;
  constexpr auto earliest = time_point_cast<seconds>(system_clock::time_point::min()).time_since_epoch().count();
  constexpr auto latest = time_point_cast<seconds>(system_clock::time_point::max()).time_since_epoch().count();
  if (t < earliest || t > latest) return std::nullopt;
  return system_clock::from_time_t(t);
}

}  // namespace zhaoyin::protocol
