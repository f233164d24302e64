#include "pattern_matcher.h"

#include <cctype>
#include <cstring>
#include <string>

namespace zhaoyin::scripting {

namespace {

constexpr char kEscape = '%';
constexpr std::string_view kSpecials = "^$*+?.([%-";

// Gives a recursion level back when a match() returns (or is abandoned by
// an exception: the matcher is not used after that).
struct DepthGuard {
  int& depth;
  ~DepthGuard() { ++depth; }
};

}  // namespace

PatternMatcher::PatternMatcher(std::string_view subject, std::string_view pattern, StepMeter& meter)
    : src_init_(subject.data()),
      src_end_(subject.data() + subject.size()),
      p_init_(pattern.data()),
      p_end_(pattern.data() + pattern.size()),
      meter_(meter) {}

std::size_t PatternMatcher::match_at(std::size_t at) {
  level_ = 0;
  depth_left_ = kMaxPatternRecursion;
  const char* end = match(src_init_ + at, p_init_);
  return end ? static_cast<std::size_t>(end - src_init_) : npos;
}

PatternCapture PatternMatcher::capture(int i) const {
  const Slot& slot = slots_.at(static_cast<std::size_t>(i));
  if (slot.len == kUnfinished) throw PatternError("unfinished capture");
  PatternCapture c;
  c.start = static_cast<std::size_t>(slot.init - src_init_);
  c.position = slot.len == kPosition;
  c.length = c.position ? 0 : static_cast<std::size_t>(slot.len);
  return c;
}

// The heart of it (the same structure as lstrlib.c's match): tries pattern
// `p` at subject position `s`; returns the end of the match or nullptr.
// Every pattern item attempted is one step.
const char* PatternMatcher::match(const char* s, const char* p) {
  if (depth_left_-- == 0) {
    ++depth_left_;
    throw PatternError("pattern too complex");
  }
  DepthGuard guard{depth_left_};
  for (;;) {
    meter_.step();
    if (p == p_end_) return s;
    switch (*p) {
      case '(':
        if (p + 1 < p_end_ && p[1] == ')') return start_capture(s, p + 2, kPosition);
        return start_capture(s, p + 1, kUnfinished);
      case ')':
        return end_capture(s, p + 1);
      case '$':
        if (p + 1 == p_end_) return s == src_end_ ? s : nullptr;
        break;  // a '$' elsewhere is an ordinary character
      case kEscape:
        if (p + 1 < p_end_) {
          const char what = p[1];
          if (what == 'b') {
            s = match_balance(s, p + 2);
            if (!s) return nullptr;
            p += 4;
            continue;
          }
          if (what == 'f') {
            p += 2;
            if (p == p_end_ || *p != '[') throw PatternError("missing '[' after '%f' in pattern");
            const char* ep = class_end(p);
            const unsigned char previous = s == src_init_ ? '\0' : static_cast<unsigned char>(s[-1]);
            const unsigned char current = s < src_end_ ? static_cast<unsigned char>(*s) : '\0';
            if (!match_bracket_class(previous, p, ep - 1) && match_bracket_class(current, p, ep - 1)) {
              p = ep;
              continue;
            }
            return nullptr;
          }
          if (what >= '0' && what <= '9') {
            s = match_back_reference(s, what);
            if (!s) return nullptr;
            p += 2;
            continue;
          }
        }
        break;  // %a, %d, %., ...: a single character class
      default:
        break;
    }
    // A single character class, maybe followed by a quantifier.
    const char* ep = class_end(p);
    const char quantifier = ep < p_end_ ? *ep : '\0';
    if (!single_match(s, p, ep)) {
      if (quantifier == '*' || quantifier == '?' || quantifier == '-') {  // these accept zero matches
        p = ep + 1;
        continue;
      }
      return nullptr;
    }
    switch (quantifier) {
      case '?': {
        if (const char* res = match(s + 1, ep + 1)) return res;
        p = ep + 1;
        continue;
      }
      case '+': return max_expand(s + 1, p, ep);
      case '*': return max_expand(s, p, ep);
      case '-': return min_expand(s, p, ep);
      default:
        ++s;
        p = ep;
        continue;
    }
  }
}

// Greedy: as many as match, then gives back one at a time.
const char* PatternMatcher::max_expand(const char* s, const char* p, const char* ep) {
  std::ptrdiff_t i = 0;
  while (single_match(s + i, p, ep)) {
    meter_.step();
    ++i;
  }
  for (; i >= 0; --i)
    if (const char* res = match(s + i, ep + 1)) return res;
  return nullptr;
}

// Lazy: the rest of the pattern first, then one more character.
const char* PatternMatcher::min_expand(const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* res = match(s, ep + 1)) return res;
    if (!single_match(s, p, ep)) return nullptr;
    ++s;
  }
}

const char* PatternMatcher::start_capture(const char* s, const char* p, std::ptrdiff_t what) {
  if (level_ >= kMaxPatternCaptures) throw PatternError("too many captures");
  slots_[static_cast<std::size_t>(level_)] = {s, what};
  ++level_;
  const char* res = match(s, p);
  if (!res) --level_;
  return res;
}

const char* PatternMatcher::end_capture(const char* s, const char* p) {
  int open = level_ - 1;
  while (open >= 0 && slots_[static_cast<std::size_t>(open)].len != kUnfinished) --open;
  if (open < 0) throw PatternError("invalid pattern capture");
  Slot& slot = slots_[static_cast<std::size_t>(open)];
  slot.len = s - slot.init;
  const char* res = match(s, p);
  if (!res) slot.len = kUnfinished;
  return res;
}

// %bxy: a balanced run from x to its matching y.
const char* PatternMatcher::match_balance(const char* s, const char* p) {
  if (p + 1 >= p_end_) throw PatternError("malformed pattern (missing arguments to '%b')");
  if (s >= src_end_ || *s != *p) return nullptr;
  const char open = p[0], close = p[1];
  int depth = 1;
  while (++s < src_end_) {
    meter_.step();
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      ++depth;
    }
  }
  return nullptr;
}

// %1 .. %9: the text of an earlier, closed capture again.
const char* PatternMatcher::match_back_reference(const char* s, char index) {
  const int i = index - '1';
  if (i < 0 || i >= level_ || slots_[static_cast<std::size_t>(i)].len == kUnfinished)
    throw PatternError("invalid capture index %" + std::to_string(i + 1));
  const Slot& slot = slots_[static_cast<std::size_t>(i)];
  if (slot.len == kPosition) return nullptr;  // as in Lua: a position never matches as text
  const auto len = static_cast<std::size_t>(slot.len);
  meter_.step(len);
  if (static_cast<std::size_t>(src_end_ - s) >= len && std::memcmp(slot.init, s, len) == 0) return s + len;
  return nullptr;
}

// The end of the single character class at `p` ("a", "%d", "[^%s,]").
const char* PatternMatcher::class_end(const char* p) const {
  const char* const start = p;
  const char c = *p++;
  if (c == kEscape) {
    if (p == p_end_) throw PatternError("malformed pattern (ends with '%')");
    return p + 1;
  }
  if (c == '[') {
    if (p < p_end_ && *p == '^') ++p;
    do {  // the first character is never the closing ']'
      if (p == p_end_) throw PatternError("malformed pattern (missing ']')");
      if (*p++ == kEscape && p < p_end_) ++p;
    } while (p == p_end_ || *p != ']');
    meter_.step(static_cast<std::uint64_t>(p - start));
    return p + 1;
  }
  return p;
}

bool PatternMatcher::single_match(const char* s, const char* p, const char* ep) const {
  if (s >= src_end_) return false;
  const auto c = static_cast<unsigned char>(*s);
  switch (*p) {
    case '.': return true;
    case kEscape: return match_class(c, static_cast<unsigned char>(p[1]));
    case '[':
      meter_.step(static_cast<std::uint64_t>(ep - p));  // a set is scanned item by item
      return match_bracket_class(c, p, ep - 1);
    default: return static_cast<unsigned char>(*p) == c;
  }
}

bool PatternMatcher::match_class(unsigned char c, unsigned char cl) {
  bool res;
  switch (std::tolower(cl)) {
    case 'a': res = std::isalpha(c); break;
    case 'c': res = std::iscntrl(c); break;
    case 'd': res = std::isdigit(c); break;
    case 'g': res = std::isgraph(c); break;
    case 'l': res = std::islower(c); break;
    case 'p': res = std::ispunct(c); break;
    case 's': res = std::isspace(c); break;
    case 'u': res = std::isupper(c); break;
    case 'w': res = std::isalnum(c); break;
    case 'x': res = std::isxdigit(c); break;
    case 'z': res = c == 0; break;  // deprecated in Lua, still accepted by it
    default: return cl == c;  // %. %% %[ ...: the character itself
  }
  return std::isupper(cl) ? !res : res;  // %A, %D, ...: the complement
}

// `p` is the '[' of a set, `ec` its closing ']'.
bool PatternMatcher::match_bracket_class(unsigned char c, const char* p, const char* ec) {
  bool found = true;
  if (p[1] == '^') {
    found = false;
    ++p;
  }
  while (++p < ec) {
    if (*p == kEscape) {
      ++p;
      if (match_class(c, static_cast<unsigned char>(*p))) return found;
    } else if (p[1] == '-' && p + 2 < ec) {
      p += 2;
      if (static_cast<unsigned char>(p[-2]) <= c && c <= static_cast<unsigned char>(*p)) return found;
    } else if (static_cast<unsigned char>(*p) == c) {
      return found;
    }
  }
  return !found;
}

bool pattern_is_plain(std::string_view pattern) { return pattern.find_first_of(kSpecials) == std::string_view::npos; }

std::size_t find_plain(std::string_view haystack, std::string_view needle, StepMeter& meter) {
  if (needle.empty()) return 0;
  if (needle.size() > haystack.size()) return std::string_view::npos;
  const std::size_t last = haystack.size() - needle.size();  // the last possible start
  std::size_t pos = 0;
  while (pos <= last) {
    const void* hit = std::memchr(haystack.data() + pos, needle[0], last - pos + 1);
    if (!hit) {
      meter.step((last - pos) / 16 + 1);
      return std::string_view::npos;
    }
    const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - haystack.data());
    meter.step((at - pos) / 16 + needle.size());  // memchr is cheap; the comparison is not
    if (std::memcmp(haystack.data() + at + 1, needle.data() + 1, needle.size() - 1) == 0) return at;
    pos = at + 1;
  }
  return std::string_view::npos;
}

}  // namespace zhaoyin::scripting
