// string.find, match, gmatch, gsub and rep as the sandbox offers them.
//
// Lua's own versions loop inside one C call, where the count hook never
// fires: a backtracking pattern (("a"):rep(1e5):find(".-.-.-.-.-b")) or a
// quadratic plain search ran for minutes, and string.rep("", 1e15) loops
// 10^15 times without allocating a byte. These keep Lua's behaviour and
// results but match with PatternMatcher, whose every step is charged to the
// call's instruction budget and checked against its deadline and the host's
// shutdown; string.rep refuses results above Limits::string_bytes.
//
// Error handling: a malformed pattern (PatternError) and a reached limit
// (LimitReached) are C++ exceptions caught in `bounded` and raised as Lua
// errors after the handler, when no C++ object of ours is left to destroy.
// Lua errors raised inside (a gsub replacement function failing) pass
// through untouched.
#include <cctype>
#include <string>
#include <string_view>

#include "sandbox_state.h"

namespace zhaoyin::scripting {

namespace {

template <typename F>
int bounded(lua_State* L, F&& body) {
  std::string pattern_error;
  bool limit = false;
  try {
    return body();
  } catch (const PatternError& e) {
    pattern_error = e.what();
  } catch (const LimitReached&) {
    limit = true;
  }
  if (limit) raise_limit(L);
  return luaL_error(L, "%s", pattern_error.c_str());
}

std::string_view check_view(lua_State* L, int arg) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, arg, &len);
  return {s, len};
}

// Lua's posrelatI: a 1-based start position, negative from the end, at least 1.
std::size_t start_position(lua_Integer pos, std::size_t len) {
  if (pos > 0) return static_cast<std::size_t>(pos);
  if (pos == 0) return 1;
  if (pos < -static_cast<lua_Integer>(len)) return 1;
  return len + static_cast<std::size_t>(pos) + 1;
}

// Capture `i` of the last match (s..e), or the whole match when the
// pattern has no captures and i is 0.
void push_capture(lua_State* L, const PatternMatcher& m, std::string_view subject, int i, std::size_t s, std::size_t e) {
  if (i >= m.captures()) {
    if (i != 0) throw PatternError("invalid capture index %" + std::to_string(i + 1));
    lua_pushlstring(L, subject.data() + s, e - s);
    return;
  }
  const PatternCapture c = m.capture(i);
  if (c.position) lua_pushinteger(L, static_cast<lua_Integer>(c.start) + 1);
  else lua_pushlstring(L, subject.data() + c.start, c.length);
}

// Every capture, or the whole match when there is none and `whole_if_none`.
int push_captures(lua_State* L, const PatternMatcher& m, std::string_view subject, std::size_t s, std::size_t e,
                  bool whole_if_none) {
  const int n = (m.captures() == 0 && whole_if_none) ? 1 : m.captures();
  luaL_checkstack(L, n, "too many captures");
  for (int i = 0; i < n; ++i) push_capture(L, m, subject, i, s, e);
  return n;
}

// string.find (find = true) and string.match.
int find_or_match(lua_State* L, bool find) {
  const std::string_view subject = check_view(L, 1);
  std::string_view pattern = check_view(L, 2);
  const std::size_t init = start_position(luaL_optinteger(L, 3, 1), subject.size()) - 1;
  if (init > subject.size()) {
    luaL_pushfail(L);
    return 1;
  }
  const bool plain = find && (lua_toboolean(L, 4) || pattern_is_plain(pattern));
  return bounded(L, [&]() -> int {
    CallMeter meter(sandbox_state(L));
    if (plain) {
      const std::size_t at = find_plain(subject.substr(init), pattern, meter);
      meter.flush();
      if (at == std::string_view::npos) {
        luaL_pushfail(L);
        return 1;
      }
      lua_pushinteger(L, static_cast<lua_Integer>(init + at) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>(init + at + pattern.size()));
      return 2;
    }
    const bool anchor = !pattern.empty() && pattern.front() == '^';
    if (anchor) pattern.remove_prefix(1);
    PatternMatcher m(subject, pattern, meter);
    std::size_t at = init;
    do {
      const std::size_t end = m.match_at(at);
      if (end != PatternMatcher::npos) {
        meter.flush();
        if (!find) return push_captures(L, m, subject, at, end, true);
        lua_pushinteger(L, static_cast<lua_Integer>(at) + 1);
        lua_pushinteger(L, static_cast<lua_Integer>(end));
        return push_captures(L, m, subject, at, end, false) + 2;
      }
    } while (at++ < subject.size() && !anchor);
    meter.flush();
    luaL_pushfail(L);
    return 1;
  });
}

int bounded_find(lua_State* L) { return find_or_match(L, true); }
int bounded_match(lua_State* L) { return find_or_match(L, false); }

// Where a gmatch iteration resumes (a plain userdata: no finalizer needed).
struct GmatchPosition {
  std::size_t next = 0;
  std::size_t last_match = PatternMatcher::npos;  // the end of the previous match
};

int gmatch_step(lua_State* L) {
  std::size_t slen = 0, plen = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(1), &slen);
  const char* p = lua_tolstring(L, lua_upvalueindex(2), &plen);
  auto* pos = static_cast<GmatchPosition*>(lua_touserdata(L, lua_upvalueindex(3)));
  const std::string_view subject(s, slen);
  return bounded(L, [&]() -> int {
    CallMeter meter(sandbox_state(L));
    PatternMatcher m(subject, std::string_view(p, plen), meter);
    for (std::size_t at = pos->next; at <= subject.size(); ++at) {
      const std::size_t end = m.match_at(at);
      if (end != PatternMatcher::npos && end != pos->last_match) {
        pos->next = pos->last_match = end;
        meter.flush();
        return push_captures(L, m, subject, at, end, true);
      }
    }
    pos->next = subject.size() + 1;
    meter.flush();
    return 0;
  });
}

// string.gmatch(s, pattern [, init]); a leading '^' is an ordinary
// character here, as in Lua 5.4.
int bounded_gmatch(lua_State* L) {
  const std::string_view subject = check_view(L, 1);
  check_view(L, 2);
  std::size_t init = start_position(luaL_optinteger(L, 3, 1), subject.size()) - 1;
  if (init > subject.size()) init = subject.size() + 1;  // nothing to iterate
  lua_settop(L, 2);  // the closure keeps both strings alive
  auto* pos = static_cast<GmatchPosition*>(lua_newuserdatauv(L, sizeof(GmatchPosition), 0));
  *pos = GmatchPosition{init, PatternMatcher::npos};
  lua_pushcclosure(L, gmatch_step, 3);
  return 1;
}

// Appends the replacement string (argument 3) for the match s..e: %0 the
// whole match, %1..%9 captures, %% a percent sign.
void add_replacement_text(lua_State* L, luaL_Buffer* b, const PatternMatcher& m, std::string_view subject, std::size_t s,
                          std::size_t e, std::string_view repl) {
  std::size_t from = 0;
  for (;;) {
    std::size_t esc = repl.find('%', from);
    if (esc == std::string_view::npos) {
      luaL_addlstring(b, repl.data() + from, repl.size() - from);
      return;
    }
    luaL_addlstring(b, repl.data() + from, esc - from);
    const char c = ++esc < repl.size() ? repl[esc] : '\0';
    if (c == '%') {
      luaL_addchar(b, '%');
    } else if (c == '0') {
      luaL_addlstring(b, subject.data() + s, e - s);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      push_capture(L, m, subject, c - '1', s, e);
      luaL_tolstring(L, -1, nullptr);  // a position capture is a number
      lua_remove(L, -2);
      luaL_addvalue(b);
    } else {
      throw PatternError("invalid use of '%' in replacement string");
    }
    from = esc + 1;
  }
}

// Appends what replaces the match s..e; false when the match is kept as it
// was (a function or table gave false or nil).
bool add_replacement(lua_State* L, luaL_Buffer* b, const PatternMatcher& m, std::string_view subject, std::size_t s,
                     std::size_t e, int repl_type) {
  if (repl_type == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    const int n = push_captures(L, m, subject, s, e, true);
    lua_call(L, n, 1);  // Lua code: counted by the hook
  } else if (repl_type == LUA_TTABLE) {
    push_capture(L, m, subject, 0, s, e);
    lua_gettable(L, 3);
  } else {
    std::size_t len = 0;
    const char* repl = lua_tolstring(L, 3, &len);
    add_replacement_text(L, b, m, subject, s, e, std::string_view(repl, len));
    return true;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, subject.data() + s, e - s);
    return false;
  }
  if (!lua_isstring(L, -1)) luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return true;
}

// string.gsub(s, pattern, repl [, n]).
int bounded_gsub(lua_State* L) {
  const std::string_view subject = check_view(L, 1);
  std::string_view pattern = check_view(L, 2);
  const int repl_type = lua_type(L, 3);
  const lua_Integer max_n = luaL_optinteger(L, 4, static_cast<lua_Integer>(subject.size()) + 1);
  luaL_argexpected(L,
                   repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING || repl_type == LUA_TFUNCTION ||
                       repl_type == LUA_TTABLE,
                   3, "string/function/table");
  const bool anchor = !pattern.empty() && pattern.front() == '^';
  if (anchor) pattern.remove_prefix(1);
  return bounded(L, [&]() -> int {
    CallMeter meter(sandbox_state(L));
    PatternMatcher m(subject, pattern, meter);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    std::size_t src = 0;
    std::size_t last_match = PatternMatcher::npos;
    lua_Integer n = 0;
    bool changed = false;
    while (n < max_n) {
      const std::size_t end = m.match_at(src);
      if (end != PatternMatcher::npos && end != last_match) {
        ++n;
        meter.flush();  // before Lua code runs: its own count starts from here
        changed = add_replacement(L, &b, m, subject, src, end, repl_type) || changed;
        src = last_match = end;
      } else if (src < subject.size()) {
        luaL_addchar(&b, subject[src++]);
      } else {
        break;
      }
      if (anchor) break;
    }
    meter.flush();
    if (!changed) {
      lua_pushvalue(L, 1);
    } else {
      luaL_addlstring(&b, subject.data() + src, subject.size() - src);
      luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
  });
}

// string.rep(s, n [, sep]): refused above Limits::string_bytes before any
// work (the memory cap would stop a big one too, but only after copying up
// to the cap, and an empty result of 10^15 repetitions copies nothing and
// never ends); the rest is Lua's own, charged by its size.
int bounded_rep(lua_State* L) {
  std::size_t len = 0, sep_len = 0;
  luaL_checklstring(L, 1, &len);
  const lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &sep_len);
  if (n <= 0 || len + sep_len == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  // The result is n * len + (n - 1) * sep_len = (n - 1) * (len + sep_len) + len.
  const auto& st = sandbox_state(L);
  const std::size_t limit = st.limits.string_bytes;
  const auto times = static_cast<std::uint64_t>(n);
  if (len > limit || times - 1 > (limit - len) / (len + sep_len))
    return luaL_error(L, "string.rep: a result of more than %I bytes is refused (the sandbox's limit for one string)",
                      static_cast<LUAI_UACINT>(limit));
  const std::uint64_t total = (times - 1) * (len + sep_len) + len;
  charge(L, times + total / 16);
  return lua_tocfunction(L, lua_upvalueindex(1))(L);  // Lua's own string.rep, same arguments
}

}  // namespace

void install_bounded_strings(lua_State* L) {
  lua_getglobal(L, LUA_STRLIBNAME);  // the real table, before it becomes a read-only proxy
  static const luaL_Reg kPatterns[] = {{"find", bounded_find},
                                       {"match", bounded_match},
                                       {"gmatch", bounded_gmatch},
                                       {"gsub", bounded_gsub},
                                       {nullptr, nullptr}};
  luaL_setfuncs(L, kPatterns, 0);
  lua_getfield(L, -1, "rep");
  lua_pushcclosure(L, bounded_rep, 1);
  lua_setfield(L, -2, "rep");
  lua_pop(L, 1);
}

}  // namespace zhaoyin::scripting
