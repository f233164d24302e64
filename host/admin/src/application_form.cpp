// The access form between HTML and access::AccessForm (see application_form.h).
#include "application_form.h"

#include "scenario_form.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/matters.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/redirect/declared_hosts.h>

namespace zhaoyin::admin {

namespace {

// Further 办事系统 rows the page can post (validate() allows 10).
constexpr int kMaxSystemRows = 10;

using access::AccessForm;
using access::FieldError;
using nlohmann::json;

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string text(const http::FormFields& fields, const std::string& name) {
  return trim(field_value(fields, name).value_or(""));
}

// Every non-empty value of a checkbox group, once each, in the order posted.
std::vector<std::string> ticked(const http::FormFields& fields, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields) {
    const auto value = trim(v);
    if (k == name && !value.empty() && std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

// One URI a line (textarea), blank lines skipped.
std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto end = s.find('\n', start);
    const auto line = trim(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!line.empty()) out.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// A whole number as typed: empty is 0 (the validation asks for it on submit);
// anything but digits (a sign, a decimal point, letters, too many digits) is
// a field error rather than an exception.
template <class Int>
void number(const http::FormFields& fields, const std::string& name, Int& into, PostedForm& posted) {
  const auto typed = text(fields, name);
  posted.typed[name] = typed;
  if (typed.empty()) {
    into = 0;
    return;
  }
  const bool digits = typed.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || typed.size() > 15) {
    into = 0;
    posted.errors.push_back({name, access::labels().at(name) + "应为正整数"});
    return;
  }
  const long long value = std::stoll(typed);
  if (value > static_cast<long long>(std::numeric_limits<Int>::max())) {
    into = 0;
    posted.errors.push_back({name, access::labels().at(name) + "过大"});
    return;
  }
  into = static_cast<Int>(value);
}

std::string label(const std::string& key) {
  const auto& all = access::labels();
  const auto it = all.find(key);
  return it == all.end() ? key : it->second;
}

std::string first_error(const std::vector<FieldError>& errors, const std::string& field) {
  for (const auto& e : errors)
    if (e.field == field) return e.message;
  return "";
}

json options(const std::string& field, const std::string& selected) {
  json out = json::array();
  for (const auto& key : access::enumeration(field))
    out.push_back({{"value", key}, {"label", access::value_label(field, key)}, {"selected", key == selected}});
  return out;
}

json checks(const std::string& field, const std::vector<std::string>& chosen) {
  json out = json::array();
  for (const auto& key : access::enumeration(field))
    out.push_back({{"value", key},
                   {"label", access::value_label(field, key)},
                   {"checked", std::find(chosen.begin(), chosen.end(), key) != chosen.end()}});
  return out;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return out;
    start = slash + 1;
  }
}

// 领域 → 行业 → 事项, from the offered matters plus the chosen ones.
json matters_tree(const json& offered, const std::vector<std::string>& chosen) {
  std::map<std::string, std::string> names;  // path → display name
  std::set<std::string> retired;             // shown only where already chosen, marked as such
  for (const auto& m : offered) {
    if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) continue;
    const auto path = m["path"].get<std::string>();
    const auto flag = m.find("retired");
    if (flag != m.end() && flag->is_boolean() && flag->get<bool>()) {
      retired.insert(path);
      if (std::find(chosen.begin(), chosen.end(), path) == chosen.end()) continue;
    }
    names[path] = m.contains("name") && m["name"].is_string() ? m["name"].get<std::string>() : "";
  }
  for (const auto& path : access::flatten_matters(offered))
    if (!retired.count(path)) names.emplace(path, "");
  for (const auto& path : chosen) names.emplace(path, "");

  // Ordered groups: 电子政务 before 电子商务, then by path.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> groups;
  for (const auto& [path, name] : names) {
    const auto parts = split_path(path);
    groups[parts[0]][parts.size() > 1 ? parts[1] : ""].push_back(path);
  }
  std::vector<std::string> roots;
  for (const auto& [root, _] : groups) roots.push_back(root);
  std::stable_sort(roots.begin(), roots.end(), [](const std::string& a, const std::string& b) {
    auto rank = [](const std::string& r) { return r == "电子政务" ? 0 : r == "电子商务" ? 1 : 2; };
    return rank(a) < rank(b);
  });

  json tree = json::array();
  for (const auto& root : roots) {
    json industries = json::array();
    for (const auto& [industry, paths] : groups[root]) {
      json leaves = json::array();
      bool all_checked = !paths.empty();
      for (const auto& path : paths) {
        const auto parts = split_path(path);
        std::string shown = names[path];
        if (shown.empty()) shown = parts.size() > 2 ? path.substr(root.size() + industry.size() + 2) : parts.back();
        const bool checked = std::find(chosen.begin(), chosen.end(), path) != chosen.end();
        all_checked = all_checked && checked;
        const bool is_retired = retired.count(path) > 0;
        if (is_retired) shown += "（已停用）";
        leaves.push_back({{"label", shown}, {"path", path}, {"checked", checked}, {"retired", is_retired}});
      }
      industries.push_back({{"label", industry.empty() ? root : industry},
                            {"path", industry.empty() ? root : root + "/" + industry},
                            {"checked", all_checked},
                            {"matters", std::move(leaves)}});
    }
    tree.push_back({{"label", root},
                    {"path", root},
                    {"checked", false},
                    {"field", access::field_of_matter(root)},
                    {"industries", std::move(industries)}});
  }
  return tree;
}

// The department plugins on offer ("plugin:<id>" sources of the matters),
// plus the form's own value if it is another one.
json department_options(const json& offered, const std::string& selected) {
  std::set<std::string> ids;
  for (const auto& m : offered) {
    if (!m.is_object() || !m.contains("source") || !m["source"].is_string()) continue;
    const auto source = m["source"].get<std::string>();
    if (source.rfind("plugin:", 0) == 0) ids.insert(source.substr(7));
  }
  if (!selected.empty()) ids.insert(selected);
  json out = json::array();
  out.push_back({{"value", ""}, {"label", "（不使用部门插件）"}, {"selected", selected.empty()}});
  for (const auto& id : ids) out.push_back({{"value", id}, {"label", id}, {"selected", id == selected}});
  return out;
}

// How a text field is typed in: its input type, keyboard and a hint under it.
struct InputHint {
  std::string type = "text";
  std::string inputmode = "text";
  std::string hint;
  bool multiline = false;
};

const std::map<std::string, InputHint>& input_hints() {
  static const std::map<std::string, InputHint> all = {
      {"uscc", {"text", "text", "18位，如 91110108700338416R", false}},
      {"address", {"text", "text", "", false}},
      {"contact_phone", {"tel", "tel", "11位手机号码，或带区号的固定电话（如 010-12345678）", false}},
      {"contact_email", {"email", "email", "如 name@example.cn", false}},
      {"system_host", {"text", "url", "域名（如 etax.example.gov.cn）或 IPv4/IPv6 地址", false}},
      {"system_port", {"text", "numeric", "1–65535", false}},
      {"business_summary", {"text", "text", "应用系统提供的业务，以及使用电子营业执照的环节", true}},
      {"needs_other", {"text", "text", "选择“其他”时填写", false}},
      {"annual_volume_wan", {"text", "numeric", "单位：万次/年，正整数", false}},
      {"peak_rate", {"text", "numeric", "单位：次/秒，正整数；超过时返回 429", false}},
      {"redirect_uris", {"text", "url", "可选；OpenID Connect 登录的回调地址，每行一个（https，或本机 http）", true}},
      {"industry", {"text", "text", "如 税务、社保、银行", false}},
      {"provider_name", {"text", "text", "可选；由技术服务单位建设或运维系统时填写，三项须一并填写", false}},
      {"provider_phone", {"tel", "tel", "11位手机号码，或带区号的固定电话", false}},
  };
  return all;
}

std::string joined(const std::vector<std::string>& values, const std::string& field, const std::string& sep) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : sep) + (field.empty() ? v : access::value_label(field, v));
  return out;
}

}  // namespace

std::optional<std::string> field_value(const http::FormFields& fields, const std::string& name) {
  for (const auto& [k, v] : fields)
    if (k == name) return v;
  return std::nullopt;
}

http::FormFields read_form_fields(http::Exchange& ex) {
  const auto type = ex.header("Content-Type").value_or("");
  const auto media = trim(type.substr(0, type.find(';')));
  std::string lowered = media;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lowered != "application/x-www-form-urlencoded")
    throw http::ApiError(415, "unsupported_media_type", "expected Content-Type application/x-www-form-urlencoded");
  try {
    return http::parse_form(ex.body());
  } catch (const std::invalid_argument& e) {
    throw http::ApiError::bad_request(std::string("malformed form body: ") + e.what());
  }
}

PostedForm form_from_fields(const http::FormFields& fields) {
  PostedForm posted;
  AccessForm& f = posted.form;
  f.org_name = text(fields, "org_name");
  f.org_nature = text(fields, "org_nature");
  f.uscc = text(fields, "uscc");
  // Credit codes are upper case; people type them in either.
  std::transform(f.uscc.begin(), f.uscc.end(), f.uscc.begin(), [](unsigned char c) { return std::toupper(c); });
  f.address = text(fields, "address");
  f.contact_name = text(fields, "contact_name");
  f.contact_position = text(fields, "contact_position");
  f.contact_phone = text(fields, "contact_phone");
  f.contact_email = text(fields, "contact_email");
  f.system_name = text(fields, "system_name");
  f.system_host = text(fields, "system_host");
  number(fields, "system_port", f.system_port, posted);
  f.field = text(fields, "field");
  f.industry = text(fields, "industry");
  f.business_summary = text(fields, "business_summary");
  f.needs = ticked(fields, "needs");
  f.needs_other = text(fields, "needs_other");
  f.scope = text(fields, "scope");
  // The province select stays in the page when 全国 is chosen; it means nothing then.
  f.province = f.scope == "national" ? "" : text(fields, "province");
  f.channels = ticked(fields, "channels");
  number(fields, "annual_volume_wan", f.annual_volume_wan, posted);
  number(fields, "peak_rate", f.peak_rate, posted);
  f.matters = ticked(fields, "matters");
  f.department = text(fields, "department");
  f.redirect_uris = lines(field_value(fields, "redirect_uris").value_or(""));
  // Further 办事系统: rows sys0, sys1, ... up to the first one the page did
  // not send; a row left wholly blank is an unused row, not a system.
  for (int i = 0; i < kMaxSystemRows; ++i) {
    const auto prefix = "sys" + std::to_string(i) + ".";
    if (!field_value(fields, prefix + "name") && !field_value(fields, prefix + "host")) break;
    access::BusinessSystem system;
    system.name = text(fields, prefix + "name");
    system.host = text(fields, prefix + "host");
    const auto port = text(fields, prefix + "port");
    if (system.name.empty() && system.host.empty() && port.empty()) continue;
    if (port.empty()) system.port = 443;
    else if (port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos) system.port = std::stoi(port);
    else {
      system.port = 0;  // reported by validate() as out of range
      posted.errors.push_back({"systems", "第" + std::to_string(f.systems.size() + 1) + "个其他办事系统的端口应为1到65535的整数"});
    }
    f.systems.push_back(std::move(system));
  }
  f.provider_name = text(fields, "provider_name");
  f.provider_contact = text(fields, "provider_contact");
  f.provider_phone = text(fields, "provider_phone");
  f.acknowledged = !text(fields, "acknowledged").empty();
  f.scenarios = scenarios_from_fields(fields, f);  // after the matters and needs it depends on
  return posted;
}

namespace {

json systems_view(const AccessForm& form) {
  json rows = json::array();
  auto add = [&](const std::string& name, const std::string& host, const std::string& port) {
    rows.push_back({{"index", rows.size()}, {"serial", rows.size() + 2}, {"name", name}, {"host", host}, {"port", port}});
  };
  for (const auto& system : form.systems)
    add(system.name, system.host, system.port == 0 ? "" : std::to_string(system.port));
  // Blank rows to declare more (saving the draft brings further ones).
  for (int blank = 0; blank < 2 && static_cast<int>(rows.size()) < kMaxSystemRows; ++blank) add("", "", "");
  return rows;
}

}  // namespace

json form_view(const AccessForm& form, const std::map<std::string, std::string>& typed,
               const std::vector<FieldError>& errors, const json& matters) {
  const json values = access::to_json(form);
  auto shown = [&](const std::string& member) -> std::string {
    if (auto it = typed.find(member); it != typed.end()) return it->second;
    const auto& v = values.at(member);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return v.get<std::int64_t>() == 0 ? "" : std::to_string(v.get<std::int64_t>());
    return "";
  };
  json fields = json::object();
  for (const auto& [member, _] : values.items()) {
    const auto how = input_hints().find(member);
    const InputHint hint = how == input_hints().end() ? InputHint{} : how->second;
    fields[member] = {{"name", member},
                      {"label", label(member)},
                      {"value", member == "redirect_uris" ? joined(form.redirect_uris, "", "\n") : shown(member)},
                      {"error", first_error(errors, member)},
                      {"input_type", hint.type},
                      {"inputmode", hint.inputmode},
                      {"hint", hint.hint},
                      {"multiline", hint.multiline}};
  }
  // Selects carry their options, checkbox and radio groups their choices.
  for (auto& [member, f] : fields.items()) {
    f["options"] = json::array();
    f["choices"] = json::array();
    f["placeholder"] = member != "department";
  }
  fields["org_nature"]["options"] = options("org_nature", form.org_nature);
  fields["field"]["options"] = options("field", form.field);
  fields["province"]["options"] = options("province", form.province);
  fields["department"]["options"] = department_options(matters, form.department);
  fields["needs"]["choices"] = checks("needs", form.needs);
  fields["channels"]["choices"] = checks("channels", form.channels);
  fields["scope"]["choices"] = checks("scope", {form.scope});
  fields["acknowledged"]["checked"] = form.acknowledged;
  fields["acknowledged"]["documents"] = access::kAcknowledgedDocuments;
  fields["systems"]["rows"] = systems_view(form);
  json view = {{"fields", fields},
               {"matters_tree", matters_tree(matters, form.matters)},
               {"scenarios", scenarios_form_view(form, errors)},
               {"has_errors", !errors.empty()},
               {"error_count", errors.size()}};
  // Errors of members the page has no place for (none today) still show at the top.
  json others = json::array();
  for (const auto& e : errors)
    if (!values.contains(e.field)) others.push_back({{"message", e.message}});
  view["other_errors"] = others;
  return view;
}

namespace {

// "名称 host:port" a line, for the read-only page.
std::string systems_text(const AccessForm& f) {
  std::string out;
  for (const auto& system : f.systems)
    out += (out.empty() ? "" : "\n") + system.name + " " +
           redirect::to_string(redirect::declared_endpoint(system.host, system.port));
  return out;
}

}  // namespace

json form_readonly_view(const AccessForm& f) {
  auto row = [](const std::string& member, const std::string& value) {
    return json{{"label", label(member)}, {"value", value}};
  };
  auto num = [](std::int64_t v) { return v == 0 ? std::string() : std::to_string(v); };
  std::string scope = access::value_label("scope", f.scope);
  if (f.scope == "province" && !f.province.empty())
    scope += "（" + access::province_name(f.province) + " " + f.province + "）";
  std::string needs = joined(f.needs, "needs", "、");
  if (!f.needs_other.empty()) needs += "（" + f.needs_other + "）";
  return json::array(
      {{{"title", "机构信息"},
        {"rows",
         {row("org_name", f.org_name), row("org_nature", access::value_label("org_nature", f.org_nature)),
          row("uscc", f.uscc), row("address", f.address)}}},
       {{"title", "联系人"},
        {"rows",
         {row("contact_name", f.contact_name), row("contact_position", f.contact_position),
          row("contact_phone", f.contact_phone), row("contact_email", f.contact_email)}}},
       {{"title", "应用系统"},
        {"rows",
         {row("system_name", f.system_name), row("system_host", f.system_host),
          row("system_port", num(f.system_port)), row("systems", systems_text(f)),
          row("redirect_uris", joined(f.redirect_uris, "", "\n"))}}},
       {{"title", "技术服务单位"},
        {"rows",
         {row("provider_name", f.provider_name), row("provider_contact", f.provider_contact),
          row("provider_phone", f.provider_phone)}}},
       {{"title", "业务与需求"},
        {"rows",
         {row("field", access::value_label("field", f.field)), row("industry", f.industry),
          row("business_summary", f.business_summary), row("needs", needs), row("scope", scope),
          row("channels", joined(f.channels, "channels", "、")), row("annual_volume_wan", num(f.annual_volume_wan)),
          row("peak_rate", num(f.peak_rate)), row("matters", joined(f.matters, "", "\n")),
          row("department", f.department)}}}});
}

}  // namespace zhaoyin::admin
