// validate(): every problem with an access form, one FieldError each, in
// Chinese, named by the AccessForm member it concerns.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <zhaoyin/access/access_application.h>
#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/matters.h>
#include <zhaoyin/access/scenarios.h>
#include <zhaoyin/redirect/declared_hosts.h>
#include <zhaoyin/redirect/redirect_target.h>
#include <zhaoyin/trust/uscc.h>

namespace zhaoyin::access {

namespace {

// Limits generous enough for any real organisation, tight enough to keep a
// page and the printed form readable.
constexpr std::size_t kShortText = 100;
constexpr std::size_t kAddressText = 200;
constexpr std::size_t kSummaryText = 2000;
constexpr std::int64_t kMaxAnnualVolumeWan = 10'000'000;  // 10^7 万次 = 10^11 a year
constexpr std::int64_t kMaxPeakRate = 1'000'000;
constexpr std::size_t kMaxUris = 20;
constexpr std::size_t kMaxSystems = 10;  // further 办事系统 beyond the primary one

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

// Characters as people count them (UTF-8 code points).
std::size_t char_count(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Checker {
 public:
  void fail(const std::string& field, const std::string& message) { errors_.push_back({field, message}); }

  // Required free text within a length.
  void text(const std::string& field, const std::string& value, std::size_t max_chars) {
    const auto& label = labels().at(field);
    if (trim(value).empty()) fail(field, "请填写" + label);
    else if (char_count(value) > max_chars) fail(field, label + "不能超过" + std::to_string(max_chars) + "个字");
  }

  // One key of an enumeration.
  void choice(const std::string& field, const std::string& value) {
    const auto& label = labels().at(field);
    if (value.empty()) fail(field, "请选择" + label);
    else if (!contains(enumeration(field), value)) fail(field, label + "的取值无效");
  }

  // At least one key of an enumeration, no unknown or repeated key.
  void choices(const std::string& field, const std::vector<std::string>& values) {
    const auto& label = labels().at(field);
    if (values.empty()) {
      fail(field, "请至少选择一项" + label);
      return;
    }
    std::set<std::string> seen;
    for (const auto& v : values) {
      if (!contains(enumeration(field), v)) {
        fail(field, label + "含有无效的选项");
        return;
      }
      if (!seen.insert(v).second) {
        fail(field, label + "有重复的选项");
        return;
      }
    }
  }

  bool has_error(const std::string& field) const {
    return std::any_of(errors_.begin(), errors_.end(), [&](const FieldError& e) { return e.field == field; });
  }

  std::vector<FieldError> errors() && { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

void check_uscc(Checker& c, const std::string& code) {
  const std::string field = "uscc";
  if (code.empty()) return c.fail(field, "请填写统一社会信用代码");
  if (code.size() != 18) return c.fail(field, "统一社会信用代码应为18位");
  for (char ch : code)
    if (trust::kUsccCharset.find(ch) == std::string_view::npos)
      return c.fail(field, "统一社会信用代码含有无效字符（只能是数字和大写字母，不含I、O、Z、S、V）");
  const auto check = trust::uscc_check_char(std::string_view(code).substr(0, 17));
  if (!check || *check != code[17]) return c.fail(field, "统一社会信用代码校验位错误");
  if (!trust::uscc_valid(code)) c.fail(field, "统一社会信用代码第3至8位应为行政区划代码（数字）");
}

void check_phone(Checker& c, const std::string& phone, const std::string& field = "contact_phone") {
  static const std::regex mobile(R"(1[3-9]\d{9})");
  static const std::regex landline(R"(0\d{2,3}-?\d{7,8}(-\d{1,6})?)");
  const auto& label = labels().at(field);
  if (phone.empty()) return c.fail(field, "请填写" + label);
  if (!std::regex_match(phone, mobile) && !std::regex_match(phone, landline))
    c.fail(field, label + "应为11位手机号码或带区号的固定电话（如010-12345678）");
}

// 技术服务单位: all three or none.
void check_provider(Checker& c, const AccessForm& f) {
  if (trim(f.provider_name).empty() && trim(f.provider_contact).empty() && trim(f.provider_phone).empty()) return;
  c.text("provider_name", f.provider_name, kShortText);
  c.text("provider_contact", f.provider_contact, 50);
  check_phone(c, f.provider_phone, "provider_phone");
}

bool dns_label_ok(const std::string& label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return std::isdigit(u) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-';
  });
}

// A DNS name of labels [a-z0-9-] (case-insensitive), ≤ 253 characters; the
// last label must not be all digits (that would be a malformed IPv4 address).
bool dns_name_ok(const std::string& name, bool require_dot) {
  if (name.empty() || name.size() > 253) return false;
  std::vector<std::string> labels_of_name;
  std::size_t start = 0;
  for (;;) {
    const auto dot = name.find('.', start);
    labels_of_name.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (require_dot && labels_of_name.size() < 2) return false;
  if (!std::all_of(labels_of_name.begin(), labels_of_name.end(), dns_label_ok)) return false;
  const auto& last = labels_of_name.back();
  return !std::all_of(last.begin(), last.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); });
}

bool ip_literal_ok(std::string host) {
  unsigned char buffer[16];
  if (inet_pton(AF_INET, host.c_str(), buffer) == 1) return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

void check_email(Checker& c, const std::string& email) {
  const std::string field = "contact_email";
  if (email.empty()) return c.fail(field, "请填写电子邮件");
  const auto at = email.find('@');
  const bool one_at = at != std::string::npos && email.find('@', at + 1) == std::string::npos;
  bool ok = one_at && at > 0 && email.size() <= 254;
  if (ok) {
    const auto local = email.substr(0, at);
    ok = local.size() <= 64 && std::none_of(local.begin(), local.end(), [](char ch) {
           return static_cast<unsigned char>(ch) <= ' ' || ch == '<' || ch == '>' || ch == '"' || ch == ',' ||
                  ch == ';' || ch == '\\';
         });
    ok = ok && dns_name_ok(email.substr(at + 1), true);
  }
  if (!ok) c.fail(field, "电子邮件格式不正确（如 name@example.cn）");
}

void check_host_and_port(Checker& c, const AccessForm& f) {
  if (f.system_host.empty()) c.fail("system_host", "请填写域名或IP地址");
  else if (!dns_name_ok(f.system_host, false) && !ip_literal_ok(f.system_host))
    c.fail("system_host", "域名(IP)应为域名（如 etax.example.gov.cn）、IPv4或IPv6地址");
  if (f.system_port < 1 || f.system_port > 65535) c.fail("system_port", "端口应在1到65535之间");
}

// 附件1's 办事系统 beyond the primary one: each named, on a valid host and
// port, and no host:port declared twice.
void check_systems(Checker& c, const AccessForm& f) {
  if (f.systems.size() > kMaxSystems) return c.fail("systems", "其他办事系统不能超过10个");
  for (std::size_t i = 0; i < f.systems.size(); ++i) {
    const auto& system = f.systems[i];
    const auto which = "第" + std::to_string(i + 1) + "个其他办事系统";
    if (trim(system.name).empty()) return c.fail("systems", which + "请填写名称");
    if (char_count(system.name) > kShortText) return c.fail("systems", which + "的名称不能超过100个字");
    if (!dns_name_ok(system.host, false) && !ip_literal_ok(system.host))
      return c.fail("systems", which + "的域名(IP)应为域名、IPv4或IPv6地址");
    if (system.port < 1 || system.port > 65535) return c.fail("systems", which + "的端口应在1到65535之间");
  }
  const auto declared = declared_endpoints(f);
  for (std::size_t i = 0; i < declared.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (declared[i] == declared[j])
        return c.fail("systems", "办事系统“" + redirect::to_string(declared[i]) + "”重复申报");
}

// Each redirect URI on a declared 办事系统 (redirect/declared_hosts.h): a
// registration cannot send browsers to a system the reviewers never saw.
void check_redirects_declared(Checker& c, const AccessForm& f) {
  const auto declared = declared_endpoints(f);
  for (const auto& uri : f.redirect_uris) {
    if (redirect::check_absolute(uri)) continue;  // reported as malformed already
    if (redirect::check_declared(declared, uri)) {
      const auto endpoint = redirect::endpoint_of(uri);
      return c.fail("redirect_uris", "回调地址“" + uri + "”的主机和端口（" + redirect::to_string(*endpoint) +
                                         "）不在申报的办事系统中，请先在“应用系统”中申报该系统");
    }
  }
}

void check_needs(Checker& c, const AccessForm& f) {
  c.choices("needs", f.needs);
  if (contains(f.needs, "other") && trim(f.needs_other).empty()) c.fail("needs_other", "选择“其他”时请说明具体需求");
  else if (char_count(f.needs_other) > kAddressText) c.fail("needs_other", "其他需求说明不能超过200个字");
  // The data interface hands out other enterprises' records: the department
  // says what for (用途), which the reviewers judge and the audit log keeps.
  if (contains(f.needs, "data_interface") && trim(f.data_purpose).empty())
    c.fail("data_purpose", "选择“数据接口”时请填写用途");
  else if (char_count(f.data_purpose) > kAddressText) c.fail("data_purpose", "数据接口用途不能超过200个字");
}

void check_scope(Checker& c, const AccessForm& f) {
  c.choice("scope", f.scope);
  if (f.scope == "province") {
    if (f.province.empty()) c.fail("province", "验证范围为本省时请选择省份");
    else if (province_name(f.province).empty()) c.fail("province", "省份应为两位行政区划代码（11至82）");
  } else if (f.scope == "national" && !f.province.empty() && province_name(f.province).empty()) {
    c.fail("province", "省份应为两位行政区划代码（11至82）");
  }
}

void check_volumes(Checker& c, const AccessForm& f) {
  if (f.annual_volume_wan <= 0) c.fail("annual_volume_wan", "年验证量应为正整数（万次/年）");
  else if (f.annual_volume_wan > kMaxAnnualVolumeWan) c.fail("annual_volume_wan", "年验证量不能超过10000000万次/年");
  if (f.peak_rate <= 0) c.fail("peak_rate", "验证峰值应为正整数（次/秒）");
  else if (f.peak_rate > kMaxPeakRate) c.fail("peak_rate", "验证峰值不能超过1000000次/秒");
}

void check_matters(Checker& c, const AccessForm& f, const std::vector<std::string>& known,
                   const std::vector<std::string>& retired) {
  if (f.matters.empty()) return c.fail("matters", "请至少选择一项授权事项");
  std::set<std::string> seen;
  for (const auto& m : f.matters) {
    if (!seen.insert(m).second) return c.fail("matters", "授权事项“" + m + "”重复");
    if (!matter_offered(m, known)) {
      if (std::find(retired.begin(), retired.end(), m) != retired.end())
        return c.fail("matters", "授权事项“" + m + "”已停用，新的申请不能再选择它");
      return c.fail("matters", "授权事项“" + m + "”不在授权事项目录中");
    }
    // A field that is not one of the two is already reported on `field`.
    if (contains(enumeration("field"), f.field) && field_of_matter(m) != f.field)
      return c.fail("matters", "授权事项“" + m + "”不属于所选领域“" + value_label("field", f.field) + "”");
  }
}

}  // namespace

std::vector<FieldError> validate(const AccessForm& f, const std::vector<std::string>& known_matters,
                                 const std::vector<std::string>& retired_matters) {
  Checker c;
  c.text("org_name", f.org_name, kShortText);
  c.choice("org_nature", f.org_nature);
  check_uscc(c, f.uscc);
  c.text("address", f.address, kAddressText);
  c.text("contact_name", f.contact_name, 50);
  c.text("contact_position", f.contact_position, kShortText);
  check_phone(c, f.contact_phone);
  check_email(c, f.contact_email);
  c.text("system_name", f.system_name, kShortText);
  check_host_and_port(c, f);
  check_systems(c, f);
  check_provider(c, f);
  c.choice("field", f.field);
  c.text("industry", f.industry, 50);
  c.text("business_summary", f.business_summary, kSummaryText);
  check_needs(c, f);
  check_scope(c, f);
  c.choices("channels", f.channels);
  check_volumes(c, f);
  check_matters(c, f, known_matters, retired_matters);
  if (f.redirect_uris.size() > kMaxUris) c.fail("redirect_uris", "回调地址不能超过20个");
  // Registered exactly as the browser will read them: the OIDC provider and
  // the hosted login page compare requests to these byte for byte
  // (redirect/redirect_target.h, RFC 6749 §3.1.2).
  for (const auto& uri : f.redirect_uris) {
    if (const auto refusal = redirect::check_absolute(uri)) {
      c.fail("redirect_uris", "回调地址“" + uri + "”应为https地址（或本机127.0.0.1/[::1]/localhost的http地址），主机名小写、"
                              "国际化域名用xn--形式、不带用户名、片段或末尾点（" + refusal->reason + ": " + refusal->message + "）");
      break;
    }
  }
  // Against the declared systems only once they are valid themselves: a
  // mistyped host is reported there, not again on every redirect URI.
  if (!c.has_error("system_host") && !c.has_error("system_port") && !c.has_error("systems"))
    check_redirects_declared(c, f);
  if (char_count(f.department) > 64) c.fail("department", "部门插件名称过长");
  // 附件1's 承诺: the applicant has read the access rules and undertakes to
  // follow them; the service records who and when (Acknowledgement).
  if (!f.acknowledged)
    c.fail("acknowledged", std::string("提交前请阅读并承诺遵守") + kAcknowledgedDocuments);
  auto errors = std::move(c).errors();
  check_scenarios(f, errors);
  return errors;
}

}  // namespace zhaoyin::access
