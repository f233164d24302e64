// The `zhaoyin` table scripts call (docs/SCRIPTING.md): log, refusals and
// requirements, JSON, dates, USCC, matters, the face info, department forms.
// Every table of it is a read-only proxy. Functions that need the current
// flow (face, matters, forms, refuse, require_*) work inside hooks only.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <regex>

#include <zhaoyin/domain/license.h>
#include <zhaoyin/protocol/json_reader.h>
#include <zhaoyin/trust/uscc.h>

#include "lua_json.h"
#include "sandbox_state.h"

namespace zhaoyin::scripting {

namespace {

CallContext& need_call(lua_State* L, const char* function) {
  auto& st = sandbox_state(L);
  if (!st.ctx || !st.ctx->event) luaL_error(L, "%s is only available inside a hook", function);
  return *st.ctx;
}

const nlohmann::json& need_subject(lua_State* L, const char* function) {
  const auto& ctx = need_call(L, function);
  if (!ctx.event->subject.is_object())
    luaL_error(L, "%s: there is no verified subject at %s", function, std::string(flow::to_string(ctx.event->point)).c_str());
  return ctx.event->subject;
}

// ---- log, refusals, requirements ------------------------------------------------

int api_log(lua_State* L) {
  const std::string level = luaL_checkstring(L, 1);
  const std::string message = luaL_checkstring(L, 2);
  if (level != "debug" && level != "info" && level != "warn" && level != "error")
    return luaL_error(L, "zhaoyin.log: level must be debug, info, warn or error, not '%s'", level.c_str());
  auto& st = sandbox_state(L);
  if (st.ctx) {
    if (st.ctx->log_lines >= st.limits.log_lines_per_call) return 0;
    ++st.ctx->log_lines;
  }
  return guarded(L, [&] {
    if (!st.services.log) return 0;
    nlohmann::json fields = {{"script", st.script.path}, {"line", current_position(L)}};
    if (st.ctx && st.ctx->event) {
      fields["client_id"] = st.ctx->event->client_id;
      fields["point"] = std::string(flow::to_string(st.ctx->event->point));
    }
    st.services.log->log(*http::log_level_from(level), "script: " + clip_log_message(message), fields);
    return 0;
  });
}

int api_refuse(lua_State* L) {
  auto& ctx = need_call(L, "zhaoyin.refuse");
  ctx.refusal = luaL_optstring(L, 1, "拒绝 (refused)");
  ctx.refusal_code = "refused_by_script";
  raise_refusal(L);
}

bool subject_covers(const nlohmann::json& subject, const std::string& matter) {
  const auto holder = subject.value("holder", nlohmann::json::object());
  const auto auth = holder.value("authorisation", nlohmann::json::object());
  domain::Authorisation a;
  a.scope = auth.value("scope", std::string("precise"));
  for (const auto& m : auth.value("matters", nlohmann::json::array()))
    if (m.is_string()) a.matters.push_back(m.get<std::string>());
  return domain::authorisation_covers(a, matter);
}

int api_matters_covers(lua_State* L) {
  const std::string matter = luaL_checkstring(L, 1);
  const auto& subject = need_subject(L, "zhaoyin.matters.covers");
  const bool covered = guarded(L, [&] { return subject_covers(subject, matter) ? 1 : 0; });
  lua_pushboolean(L, covered);
  return 1;
}

int api_require_matter(lua_State* L) {
  const std::string matter = luaL_checkstring(L, 1);
  const auto& subject = need_subject(L, "zhaoyin.require_matter");
  const bool covered = guarded(L, [&] { return subject_covers(subject, matter) ? 1 : 0; });
  if (covered) return 0;
  auto& ctx = need_call(L, "zhaoyin.require_matter");
  ctx.refusal = "经办人的授权不包含事项“" + matter + "” (the holder's authorisation does not cover " + matter + ")";
  ctx.refusal_code = "matter_not_covered";
  raise_refusal(L);
}

constexpr std::array<const char*, 5> kSealTypes = {"company", "finance", "contract", "invoice", "legal_rep"};

int api_require_seal_types(lua_State* L) {
  auto& ctx = need_call(L, "zhaoyin.require_seal_types");
  if (ctx.event->point != flow::FlowPoint::sign_task_created)
    return luaL_error(L, "zhaoyin.require_seal_types is only available in on_sign_task_created");
  luaL_checktype(L, 1, LUA_TTABLE);
  const lua_Integer n = luaL_len(L, 1);
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_geti(L, 1, i);
    const char* type = lua_tostring(L, -1);
    if (!type || std::none_of(kSealTypes.begin(), kSealTypes.end(), [&](const char* t) { return std::string(t) == type; }))
      return luaL_error(L, "zhaoyin.require_seal_types: '%s' is not a seal type (company, finance, contract, invoice, legal_rep)",
                        type ? type : luaL_typename(L, -1));
    if (std::find(ctx.seal_types.begin(), ctx.seal_types.end(), type) == ctx.seal_types.end())
      ctx.seal_types.push_back(type);
    lua_pop(L, 1);
  }
  return 0;
}

// ---- face info ------------------------------------------------------------------

int api_face(lua_State* L) {
  const std::string key = luaL_checkstring(L, 1);
  const auto& subject = need_subject(L, "zhaoyin.face");
  const auto face = subject.value("face_info", nlohmann::json::object());
  if (face.contains(key) && !face[key].is_object()) push_json(L, face[key]);
  else lua_pushnil(L);
  return 1;
}

int api_face_label(lua_State* L) {
  const std::string key = luaL_checkstring(L, 1);
  const auto& subject = need_subject(L, "zhaoyin.face_label");
  const auto labels = subject.value("face_info", nlohmann::json::object()).value("labels", nlohmann::json::object());
  if (labels.contains(key) && labels[key].is_string()) push_json(L, labels[key]);
  else lua_pushnil(L);
  return 1;
}

// ---- JSON -------------------------------------------------------------------------

// Encoding is bounded (Limits::string_bytes of text, kJsonMaxDepth levels)
// and charged to the budget: the nlohmann::json copy in between lives outside
// the state's memory cap, and its work outside the count hook.
int api_json_encode(lua_State* L) {
  luaL_checkany(L, 1);
  const std::size_t limit = sandbox_state(L).limits.string_bytes;
  std::string text;
  guarded(L, [&] {
    text = lua_to_json(L, 1, limit).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return 0;
  });
  if (text.size() > limit) return luaL_error(L, "zhaoyin.json.encode: cannot encode more than %I bytes of JSON",
                                             static_cast<LUAI_UACINT>(limit));
  charge(L, text.size() / 16 + 1);
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

// Values in a document (every scalar, array and object), for the budget.
// read_json bounds the depth, so this recursion is shallow.
std::uint64_t json_values(const nlohmann::json& v) {
  std::uint64_t n = 1;
  if (v.is_structured())
    for (const auto& item : v) n += json_values(item);
  return n;
}

// The text goes through protocol::read_json, the reader every JSON from
// outside goes through (request bodies, wallet answers, uploads), with its
// limits: nesting 32, members 1000, items 100 000, numbers finite within 2^53,
// no duplicate member names. Two limits are the sandbox's own: the text and
// each string at most Limits::string_bytes, and at most string_bytes / 8
// values, because the nlohmann::json built in between lives outside the
// state's memory cap (16+ bytes a value). The text is charged before parsing
// (one step per 16 bytes), the values before they become Lua values (one step
// each); the tables and strings made then count against the memory cap.
// A refusal returns nil, "zhaoyin.json.decode: <code>: <message>", <code>,
// with read_json's codes (invalid_json, json_too_deep, json_too_large,
// json_number_out_of_range, json_duplicate_key).
int api_json_decode(lua_State* L) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const std::size_t limit = sandbox_state(L).limits.string_bytes;
  std::string code;
  std::string message;
  nlohmann::json value;
  if (len > limit) {
    code = "json_too_large";
    message = "the text is longer than " + std::to_string(limit) + " bytes";
  } else {
    charge(L, len / 16 + 1);
    protocol::JsonLimits limits;
    limits.max_string_bytes = limit;
    limits.max_values = std::min(limits.max_values, limit / 8);
    try {
      value = protocol::read_json(std::string_view(s, len), limits);
    } catch (const protocol::JsonInputError& e) {
      code = e.code();
      message = e.what();
    } catch (const std::bad_alloc&) {  // never escapes into Lua as a foreign exception
      code = "json_too_large";
      message = "not enough memory to read the text";
    }
  }
  if (!code.empty()) {
    luaL_pushfail(L);
    lua_pushstring(L, ("zhaoyin.json.decode: " + code + ": " + message).c_str());
    lua_pushstring(L, code.c_str());
    return 3;
  }
  charge(L, json_values(value));
  push_json(L, value);
  return 1;
}

// ---- dates --------------------------------------------------------------------------
// Dates on licenses are China dates: "YYYY-MM-DD" means that day in UTC+08:00.

constexpr std::int64_t kChinaOffset = 8 * 3600;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Unix seconds of "YYYY-MM-DD" (00:00 China time) or an RFC 3339 date-time.
std::optional<std::int64_t> parse_time(const std::string& s) {
  static const std::regex kTime(
      R"((\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?)");
  std::smatch m;
  if (!std::regex_match(s, m, kTime)) return std::nullopt;
  const int y = std::stoi(m[1]);
  const unsigned mo = static_cast<unsigned>(std::stoi(m[2])), d = static_cast<unsigned>(std::stoi(m[3]));
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
  std::int64_t t = days_from_civil(y, mo, d) * 86400;
  if (!m[4].matched) return t - kChinaOffset;
  const int hh = std::stoi(m[4]), mm = std::stoi(m[5]), ss = std::stoi(m[6]);
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  t += hh * 3600 + mm * 60 + ss;
  const std::string zone = m[7];
  if (zone != "Z" && zone != "z") {
    const int oh = std::stoi(zone.substr(1, 2)), om = std::stoi(zone.substr(4, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    const int offset = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
    t -= offset;
  }
  return t;
}

std::string format_time(std::int64_t t, bool date_only) {
  if (date_only) t += kChinaOffset;
  const std::int64_t days = (t >= 0 ? t : t - 86399) / 86400;
  const std::int64_t secs = t - days * 86400;
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[40];
  if (date_only) std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t check_time(lua_State* L, int index, const char* function) {
  if (lua_type(L, index) == LUA_TNUMBER) return static_cast<std::int64_t>(luaL_checkinteger(L, index));
  const std::string s = luaL_checkstring(L, index);
  const auto t = parse_time(s);
  if (!t) luaL_error(L, "%s: '%s' is not a date (YYYY-MM-DD) or an RFC 3339 date-time", function, s.c_str());
  return *t;
}

int api_date_now(lua_State* L) {
  lua_pushinteger(L, now_seconds());
  return 1;
}

int api_date_today(lua_State* L) {
  lua_pushstring(L, format_time(now_seconds(), true).c_str());
  return 1;
}

int api_date_parse(lua_State* L) {
  const std::string s = luaL_checkstring(L, 1);
  const auto t = parse_time(s);
  if (!t) {
    luaL_pushfail(L);
    lua_pushfstring(L, "zhaoyin.date.parse: '%s' is not a date (YYYY-MM-DD) or an RFC 3339 date-time", s.c_str());
    return 2;
  }
  lua_pushinteger(L, *t);
  return 1;
}

int api_date_format(lua_State* L) {
  const std::int64_t t = check_time(L, 1, "zhaoyin.date.format");
  const std::string kind = luaL_optstring(L, 2, "datetime");
  if (kind != "date" && kind != "datetime") return luaL_error(L, "zhaoyin.date.format: kind is 'date' or 'datetime'");
  lua_pushstring(L, format_time(t, kind == "date").c_str());
  return 1;
}

int api_date_add_days(lua_State* L) {
  const std::int64_t t = check_time(L, 1, "zhaoyin.date.add_days");
  const lua_Integer n = luaL_checkinteger(L, 2);
  if (n > 3650000 || n < -3650000) return luaL_error(L, "zhaoyin.date.add_days: too many days");
  lua_pushstring(L, format_time(t + n * 86400, true).c_str());
  return 1;
}

int api_date_days_between(lua_State* L) {
  const std::int64_t a = check_time(L, 1, "zhaoyin.date.days_between");
  const std::int64_t b = check_time(L, 2, "zhaoyin.date.days_between");
  const std::int64_t diff = b - a;
  lua_pushinteger(L, diff >= 0 ? diff / 86400 : -((-diff) / 86400));
  return 1;
}

// ---- USCC -------------------------------------------------------------------------

int api_uscc_valid(lua_State* L) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  lua_pushboolean(L, trust::uscc_valid(std::string_view(s, len)));
  return 1;
}

int api_uscc_region(lua_State* L) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const auto region = trust::uscc_region(std::string_view(s, len));
  if (region) lua_pushstring(L, region->c_str());
  else lua_pushnil(L);
  return 1;
}

// ---- department forms ------------------------------------------------------------------

int api_forms_list(lua_State* L) {
  auto& ctx = need_call(L, "zhaoyin.forms.list");
  auto& st = sandbox_state(L);
  nlohmann::json forms = nlohmann::json::array();
  guarded(L, [&] {
    if (auto ext = st.services.extensions.lock())
      for (const auto& f : ext->forms_for(ctx.event->client_id)) forms.push_back(f.to_json());
    return 0;
  });
  push_json(L, forms);
  return 1;
}

// The form as the department's extension fills it for the current subject
// (scripts' on_prefill hooks are not run inside, see call_context.h).
int api_forms_prefill(lua_State* L) {
  const std::string form_id = luaL_checkstring(L, 1);
  const auto& subject = need_subject(L, "zhaoyin.forms.prefill");
  auto& ctx = need_call(L, "zhaoyin.forms.prefill");
  auto& st = sandbox_state(L);
  nlohmann::json result;
  std::string refusal;
  guarded(L, [&] {
    auto ext = st.services.extensions.lock();
    if (!ext) {
      refusal = "no department forms on this host";
      return 0;
    }
    flow::FlowEvent event = *ctx.event;
    event.point = flow::FlowPoint::form_prefill;
    event.subject = subject;
    event.detail = {{"form_id", form_id},
                    {"subject_ref", ctx.event->detail.value("subject_ref", "")},
                    {"source", ctx.event->detail.value("source", "script")}};
    ++forms_prefill_depth;
    flow::PrefillOutcome outcome;
    try {
      outcome = ext->prefill(event);
    } catch (...) {
      --forms_prefill_depth;
      throw;
    }
    --forms_prefill_depth;
    if (!outcome.decision.allowed) {
      refusal = outcome.decision.source + ": " + outcome.decision.reason;
    } else if (!outcome.fill) {
      refusal = "no form '" + form_id + "' for this application";
    } else {
      nlohmann::json fields = nlohmann::json::array();
      for (const auto& f : outcome.fill->form.fields) fields.push_back(f.to_json());
      result = {{"id", outcome.fill->form.id},         {"title", outcome.fill->form.title},
                {"department", outcome.fill->form.department}, {"source", outcome.fill->form.source},
                {"fields", fields},                    {"values", outcome.fill->values},
                {"labels", outcome.fill->labels},      {"filled_by", outcome.fill->filled_by}};
    }
    return 0;
  });
  if (!refusal.empty()) {
    luaL_pushfail(L);
    lua_pushstring(L, refusal.c_str());
    return 2;
  }
  push_json(L, result);
  return 1;
}

void add_functions(lua_State* L, const luaL_Reg* functions, const char* name) {
  lua_newtable(L);
  luaL_setfuncs(L, functions, 0);
  make_readonly(L, name);
}

}  // namespace

void install_host_api(lua_State* L) {
  static const luaL_Reg kTop[] = {{"log", api_log},
                                  {"refuse", api_refuse},
                                  {"require_matter", api_require_matter},
                                  {"require_seal_types", api_require_seal_types},
                                  {"face", api_face},
                                  {"face_label", api_face_label},
                                  {nullptr, nullptr}};
  static const luaL_Reg kJson[] = {{"encode", api_json_encode}, {"decode", api_json_decode}, {nullptr, nullptr}};
  static const luaL_Reg kDate[] = {{"now", api_date_now},
                                   {"today", api_date_today},
                                   {"parse", api_date_parse},
                                   {"format", api_date_format},
                                   {"add_days", api_date_add_days},
                                   {"days_between", api_date_days_between},
                                   {nullptr, nullptr}};
  static const luaL_Reg kUscc[] = {{"valid", api_uscc_valid}, {"region", api_uscc_region}, {nullptr, nullptr}};
  static const luaL_Reg kMatters[] = {{"covers", api_matters_covers}, {nullptr, nullptr}};
  static const luaL_Reg kForms[] = {{"list", api_forms_list}, {"prefill", api_forms_prefill}, {nullptr, nullptr}};

  lua_newtable(L);
  luaL_setfuncs(L, kTop, 0);
  add_functions(L, kJson, "zhaoyin.json");
  lua_setfield(L, -2, "json");
  add_functions(L, kDate, "zhaoyin.date");
  lua_setfield(L, -2, "date");
  add_functions(L, kUscc, "zhaoyin.uscc");
  lua_setfield(L, -2, "uscc");
  add_functions(L, kMatters, "zhaoyin.matters");
  lua_setfield(L, -2, "matters");
  add_functions(L, kForms, "zhaoyin.forms");
  lua_setfield(L, -2, "forms");
  lua_pushliteral(L, "1");
  lua_setfield(L, -2, "api_version");
  make_readonly(L, "zhaoyin");
  lua_setglobal(L, "zhaoyin");
}

}  // namespace zhaoyin::scripting
