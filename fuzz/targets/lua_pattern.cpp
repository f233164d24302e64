// The Lua sandbox's own pattern matcher (host/scripting/src/pattern_matcher.cpp),
// which replaced lstrlib.c's so that string.find/match/gmatch/gsub are charged
// to the script's budget. Input: pattern, NUL, subject. Properties checked:
//   - only PatternError (a malformed pattern) or the meter's stop escapes;
//   - every match ends inside the subject, at or after where it started;
//   - every capture lies inside the subject (or is a position within it + 1);
//   - the work is metered: a meter that stops after a fixed number of steps
//     always stops a match (a matcher that looped without charging would hang
//     here and libFuzzer would report the timeout);
//   - find_plain agrees with std::string_view::find on plain patterns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pattern_matcher.h"

using namespace zhaoyin::scripting;

namespace {

struct Stopped {};

class CappedMeter : public StepMeter {
 protected:
  void spend(std::uint64_t steps) override {
    spent_ += steps;
    if (spent_ > 2'000'000) throw Stopped{};
  }

 private:
  std::uint64_t spent_ = 0;
};

void check_captures(const PatternMatcher& m, std::size_t subject_size) {
  for (int i = 0; i < m.captures(); ++i) {
    PatternCapture c;
    try {
      c = m.capture(i);
    } catch (const PatternError&) {
      continue;  // an unfinished capture is refused, as Lua refuses it
    }
    if (c.position ? c.start > subject_size : (c.start > subject_size || c.length > subject_size - c.start))
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  if (nul == std::string_view::npos) return 0;
  std::string_view pattern = input.substr(0, nul);
  const std::string_view subject = input.substr(nul + 1);

  if (pattern_is_plain(pattern)) {
    CappedMeter meter;
    try {
      if (find_plain(subject, pattern, meter) != subject.find(pattern)) std::abort();
    } catch (const Stopped&) {
    }
  }

  const bool anchor = !pattern.empty() && pattern.front() == '^';
  if (anchor) pattern.remove_prefix(1);
  CappedMeter meter;
  try {
    PatternMatcher m(subject, pattern, meter);
    std::size_t at = 0;
    do {
      const std::size_t end = m.match_at(at);
      if (end != PatternMatcher::npos) {
        if (end < at || end > subject.size()) std::abort();
        check_captures(m, subject.size());
      }
    } while (at++ < subject.size() && !anchor);
    meter.flush();
  } catch (const PatternError&) {
  } catch (const Stopped&) {
  }
  return 0;
}
