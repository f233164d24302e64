#pragma once
// Lua 5.4 patterns (the language of string.find, match, gmatch and gsub),
// matched with a step meter.
//
// Why our own matcher: Lua's own (lstrlib.c) runs inside one C call, where
// the count hook never fires, and it backtracks without bound —
// ("a"):rep(1e5):find(".-.-.-.-.-b") runs for hours. This one follows the
// same language and the same results, but charges every step (each attempt
// at a pattern item, each character a repetition scans or a back-reference
// compares) to a StepMeter, which stops the match by throwing once the
// call's budget, deadline or the host's shutdown says so.
//
// Pure C++: no Lua state here. Malformed patterns throw PatternError with
// Lua's own messages; the Lua bindings (bounded_strings.cpp) turn both into
// Lua errors.
#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace zhaoyin::scripting {

// A malformed pattern ("malformed pattern (missing ']')", "too many captures", ...).
class PatternError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Counts work done inside a C function. step() is cheap; every kBatch steps
// spend() is told how many were taken and may throw to stop the work.
class StepMeter {
 public:
  static constexpr std::uint64_t kBatch = 1024;
  virtual ~StepMeter() = default;

  void step(std::uint64_t n = 1) {
    pending_ += n;
    if (pending_ >= kBatch) flush();
  }
  // Hands the steps not yet reported to spend() (call once the work is done).
  void flush() {
    const std::uint64_t n = pending_;
    pending_ = 0;
    if (n) spend(n);
  }

 protected:
  virtual void spend(std::uint64_t steps) = 0;

 private:
  std::uint64_t pending_ = 0;
};

inline constexpr int kMaxPatternCaptures = 32;   // LUA_MAXCAPTURES
inline constexpr int kMaxPatternRecursion = 200;  // MAXCCALLS in lstrlib.c: "pattern too complex"

// One capture of a successful match, as offsets into the subject.
struct PatternCapture {
  std::size_t start = 0;
  std::size_t length = 0;
  bool position = false;  // "()": the capture is the position start + 1
};

class PatternMatcher {
 public:
  // `pattern` without a leading '^' (anchoring is the caller's loop). Both
  // views must outlive the matcher.
  PatternMatcher(std::string_view subject, std::string_view pattern, StepMeter& meter);

  // Matches the whole pattern starting exactly at subject offset `at`;
  // returns the offset where the match ends, or npos.
  std::size_t match_at(std::size_t at);

  // The captures of the last successful match_at (0 when the pattern has none).
  int captures() const { return level_; }
  // Capture `i` (0-based); throws PatternError for an unfinished capture.
  PatternCapture capture(int i) const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  static constexpr std::ptrdiff_t kUnfinished = -1;
  static constexpr std::ptrdiff_t kPosition = -2;
  struct Slot {
    const char* init = nullptr;
    std::ptrdiff_t len = 0;  // >= 0, kUnfinished or kPosition
  };

  const char* match(const char* s, const char* p);
  const char* max_expand(const char* s, const char* p, const char* ep);
  const char* min_expand(const char* s, const char* p, const char* ep);
  const char* start_capture(const char* s, const char* p, std::ptrdiff_t what);
  const char* end_capture(const char* s, const char* p);
  const char* match_balance(const char* s, const char* p);
  const char* match_back_reference(const char* s, char index);
  const char* class_end(const char* p) const;
  bool single_match(const char* s, const char* p, const char* ep) const;
  static bool match_class(unsigned char c, unsigned char cl);
  static bool match_bracket_class(unsigned char c, const char* p, const char* ec);

  const char* const src_init_;
  const char* const src_end_;
  const char* const p_init_;
  const char* const p_end_;
  StepMeter& meter_;
  int depth_left_ = kMaxPatternRecursion;
  int level_ = 0;
  std::array<Slot, kMaxPatternCaptures> slots_{};
};

// True when `pattern` has none of Lua's special characters (find can then
// search for it as plain text).
bool pattern_is_plain(std::string_view pattern);

// Offset of the first occurrence of `needle` in `haystack`, or npos; every
// candidate compared is charged to the meter (a naive search over long
// repetitive strings is quadratic).
std::size_t find_plain(std::string_view haystack, std::string_view needle, StepMeter& meter);

}  // namespace zhaoyin::scripting
