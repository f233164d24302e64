// License face info, holders and authorisations: JSON mapping, labels and
// the checks every license and authorisation passes before the host uses it.
#include <zhaoyin/domain/license.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <zhaoyin/trust/uscc.h>

namespace zhaoyin::domain {

namespace {

using nlohmann::json;

struct KindName {
  EnterpriseKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 5> kKindNames = {{
    {EnterpriseKind::LimitedCompany, "limited_company"},
    {EnterpriseKind::JointStockCompany, "joint_stock_company"},
    {EnterpriseKind::IndividualBusiness, "individual_business"},
    {EnterpriseKind::Partnership, "partnership"},
    {EnterpriseKind::Branch, "branch"},
}};

// Every face field, in the order they appear on the printed license.
constexpr std::array<std::string_view, 14> kFaceFields = {
    "uscc",     "name",           "type",       "legal_representative",   "registered_capital",
    "established", "term_from",   "term_to",    "address",                "business_scope",
    "registration_authority",     "approval_date", "status",              "kind"};

constexpr std::string_view kOpenEndedTerm = "长期";

[[noreturn]] void invalid(std::string_view field, const std::string& problem) {
  throw std::invalid_argument("field '" + std::string(field) + "': " + problem);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// YYYY-MM-DD naming a real calendar day.
bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (!is_digit(s[i])) return false;
  auto number = [&s](std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year{number(0, 4)},
                                        std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                        std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  return ymd.ok();
}

// YYYY-MM-DDTHH:MM:SSZ (UTC, whole seconds) → seconds since the epoch; nullopt
// if not that shape. Seconds, not system_clock's nanoseconds, so that "forever"
// values such as 9999-12-31T23:59:59Z stay representable.
std::optional<std::chrono::sys_seconds> parse_utc_timestamp(std::string_view s) {
  if (s.size() != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return std::nullopt;
  if (!valid_date(s.substr(0, 10))) return std::nullopt;
  for (std::size_t i : {11u, 12u, 14u, 15u, 17u, 18u})
    if (!is_digit(s[i])) return std::nullopt;
  const int hour = (s[11] - '0') * 10 + (s[12] - '0');
  const int minute = (s[14] - '0') * 10 + (s[15] - '0');
  const int second = (s[17] - '0') * 10 + (s[18] - '0');
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const int year = std::stoi(std::string(s.substr(0, 4)));
  const auto month = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  const auto day = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  using namespace std::chrono;
  return sys_days{year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}}} +
         hours{hour} + minutes{minute} + seconds{second};
}

// The string at j[field]; "" when absent and not required.
std::string string_field(const json& j, std::string_view field, bool required) {
  const auto it = j.find(field);
  if (it == j.end() || it->is_null()) {
    if (required) invalid(field, "is required");
    return "";
  }
  if (!it->is_string()) invalid(field, "must be a string");
  std::string value = it->get<std::string>();
  if (required && value.empty()) invalid(field, "must not be empty");
  return value;
}

std::string date_field(const json& j, std::string_view field) {
  std::string value = string_field(j, field, true);
  if (!valid_date(value)) invalid(field, "must be a date YYYY-MM-DD, got '" + value + "'");
  return value;
}

std::vector<std::string> string_list(const json& j, std::string_view field) {
  const auto it = j.find(field);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_array()) invalid(field, "must be an array of strings");
  std::vector<std::string> out;
  for (const json& item : *it) {
    if (!item.is_string()) invalid(field, "must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// The type text on real licenses names the kind, e.g. 有限责任公司(自然人投资或控股)
// or 股份有限公司分公司; used when a record does not carry "kind" itself.
std::optional<EnterpriseKind> kind_from_type_text(std::string_view type) {
  auto contains = [type](std::string_view needle) { return type.find(needle) != std::string_view::npos; };
  if (contains("分公司") || contains("分支机构")) return EnterpriseKind::Branch;
  if (contains("个体")) return EnterpriseKind::IndividualBusiness;
  if (contains("合伙")) return EnterpriseKind::Partnership;
  if (contains("股份有限公司")) return EnterpriseKind::JointStockCompany;
  if (contains("有限责任公司")) return EnterpriseKind::LimitedCompany;
  return std::nullopt;
}

// Splits a matter path into its segments; nullopt when a segment is empty
// ("a//b", "/a", "a/"), which no matter in the tree has.
std::optional<std::vector<std::string_view>> matter_segments(std::string_view path) {
  if (path.empty()) return std::nullopt;
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) return std::nullopt;
    segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

}  // namespace

// ------------------------------------------------------------ enterprise kind

std::string to_string(EnterpriseKind k) {
  for (const auto& entry : kKindNames)
    if (entry.kind == k) return std::string(entry.name);
  throw std::invalid_argument("unknown enterprise kind");
}

EnterpriseKind enterprise_kind_from(std::string_view s) {
  for (const auto& entry : kKindNames)
    if (entry.name == s) return entry.kind;
  throw std::invalid_argument("unknown enterprise kind '" + std::string(s) + "'");
}

// ------------------------------------------------------------ license status

std::string to_string(LicenseStatus s) {
  switch (s) {
    case LicenseStatus::Active: return "active";
    case LicenseStatus::Revoked: return "revoked";
    case LicenseStatus::Cancelled: return "cancelled";
  }
  throw std::invalid_argument("unknown license status");
}

std::string status_label(LicenseStatus s) {
  switch (s) {
    case LicenseStatus::Active: return "存续";
    case LicenseStatus::Revoked: return "吊销";
    case LicenseStatus::Cancelled: return "注销";
  }
  throw std::invalid_argument("unknown license status");
}

LicenseStatus license_status_from(std::string_view s) {
  // The Chinese label is accepted too: registration records print it.
  for (LicenseStatus status : {LicenseStatus::Active, LicenseStatus::Revoked, LicenseStatus::Cancelled})
    if (s == to_string(status) || s == status_label(status)) return status;
  throw std::invalid_argument("unknown license status '" + std::string(s) + "'");
}

// ------------------------------------------------------------ labels

std::string label(EnterpriseKind kind, std::string_view field) {
  const bool individual = kind == EnterpriseKind::IndividualBusiness;
  if (field == "uscc") return "统一社会信用代码";
  if (field == "name") return "名称";
  if (field == "type") return "类型";
  if (field == "legal_representative") {
    switch (kind) {
      case EnterpriseKind::LimitedCompany:
      case EnterpriseKind::JointStockCompany: return "法定代表人";
      case EnterpriseKind::IndividualBusiness: return "经营者";
      case EnterpriseKind::Partnership: return "执行事务合伙人";
      case EnterpriseKind::Branch: return "负责人";
    }
  }
  if (field == "address") {
    switch (kind) {
      case EnterpriseKind::LimitedCompany:
      case EnterpriseKind::JointStockCompany: return "住所";
      case EnterpriseKind::IndividualBusiness: return "经营场所";
      case EnterpriseKind::Partnership: return "主要经营场所";
      case EnterpriseKind::Branch: return "营业场所";
    }
  }
  if (field == "registered_capital") return individual ? "资金数额" : "注册资本";
  if (field == "established") return individual ? "注册日期" : "成立日期";
  if (field == "term_from") return "营业期限自";
  if (field == "term_to") return "营业期限至";
  if (field == "business_scope") return "经营范围";
  if (field == "registration_authority") return "登记机关";
  if (field == "approval_date") return "核准日期";
  if (field == "status") return "登记状态";
  if (field == "kind") return "类型";
  throw std::invalid_argument("no face info field '" + std::string(field) + "'");
}

// ------------------------------------------------------------ face info

json to_json(const FaceInfo& f) {
  json labels = json::object();
  for (std::string_view field : kFaceFields)
    if (field != "kind") labels[std::string(field)] = label(f.kind, field);
  return json{
      {"uscc", f.uscc},
      {"name", f.name},
      {"type", f.type},
      {"kind", to_string(f.kind)},
      {"legal_representative", f.legal_representative},
      {"registered_capital", f.registered_capital},
      {"established", f.established},
      {"term_from", f.term_from},
      {"term_to", f.term_to},
      // What the license prints for the end of the term: the date, or 长期.
      {"term_to_text", f.term_to.empty() ? std::string(kOpenEndedTerm) : f.term_to},
      {"address", f.address},
      {"business_scope", f.business_scope},
      {"registration_authority", f.registration_authority},
      {"approval_date", f.approval_date},
      {"status", to_string(f.status)},
      {"status_label", status_label(f.status)},
      {"labels", labels},
  };
}

FaceInfo face_info_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("face info must be a JSON object");
  FaceInfo f;

  f.uscc = string_field(j, "uscc", true);
  if (!trust::uscc_valid(f.uscc)) invalid("uscc", "'" + f.uscc + "' is not a valid unified social credit code");
  f.name = string_field(j, "name", true);
  f.type = string_field(j, "type", true);

  const std::string kind = string_field(j, "kind", false);
  if (!kind.empty()) {
    try {
      f.kind = enterprise_kind_from(kind);
    } catch (const std::invalid_argument&) {
      invalid("kind", "unknown enterprise kind '" + kind + "'");
    }
  } else if (const auto inferred = kind_from_type_text(f.type)) {
    f.kind = *inferred;
  } else {
    invalid("kind", "is required when the type text does not name the kind");
  }

  f.legal_representative = string_field(j, "legal_representative", true);
  // Companies always state their registered capital; individual businesses
  // (资金数额), partnerships and branches may leave it out.
  const bool capital_required =
      f.kind == EnterpriseKind::LimitedCompany || f.kind == EnterpriseKind::JointStockCompany;
  f.registered_capital = string_field(j, "registered_capital", capital_required);
  f.established = date_field(j, "established");
  f.term_from = date_field(j, "term_from");
  f.term_to = string_field(j, "term_to", false);
  if (f.term_to == kOpenEndedTerm) f.term_to.clear();
  if (!f.term_to.empty()) {
    if (!valid_date(f.term_to)) invalid("term_to", "must be a date YYYY-MM-DD or empty for 长期, got '" + f.term_to + "'");
    // Dates in YYYY-MM-DD compare correctly as text.
    if (f.term_to < f.term_from) invalid("term_to", "ends before term_from");
  }
  f.address = string_field(j, "address", true);
  f.business_scope = string_field(j, "business_scope", true);
  f.registration_authority = string_field(j, "registration_authority", true);
  f.approval_date = date_field(j, "approval_date");

  const std::string status = string_field(j, "status", true);
  try {
    f.status = license_status_from(status);
  } catch (const std::invalid_argument&) {
    invalid("status", "must be active, revoked or cancelled, got '" + status + "'");
  }
  return f;
}

// ------------------------------------------------------------ holders

std::string to_string(HolderRole r) {
  switch (r) {
    case HolderRole::LegalRepresentative: return "legal_representative";
    case HolderRole::Administrator: return "administrator";
    case HolderRole::Agent: return "agent";
  }
  throw std::invalid_argument("unknown holder role");
}

std::string role_label(HolderRole r) {
  switch (r) {
    case HolderRole::LegalRepresentative: return "法定代表人";
    case HolderRole::Administrator: return "证照管理员";
    case HolderRole::Agent: return "办事人";
  }
  throw std::invalid_argument("unknown holder role");
}

HolderRole holder_role_from(std::string_view s) {
  for (HolderRole role : {HolderRole::LegalRepresentative, HolderRole::Administrator, HolderRole::Agent})
    if (s == to_string(role)) return role;
  throw std::invalid_argument("unknown holder role '" + std::string(s) + "'");
}

// ------------------------------------------------------------ authorisations

json to_json(const Authorisation& a) {
  return json{{"scope", a.scope},         {"matters", a.matters}, {"valid_from", a.valid_from},
              {"valid_to", a.valid_to},   {"seals", a.seals}};
}

Authorisation authorisation_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("authorisation must be a JSON object");
  Authorisation a;
  a.scope = string_field(j, "scope", true);
  if (a.scope != "full" && a.scope != "precise") invalid("scope", "must be 'full' or 'precise', got '" + a.scope + "'");
  a.matters = string_list(j, "matters");
  for (const std::string& matter : a.matters)
    if (!matter_segments(matter)) invalid("matters", "'" + matter + "' is not a matter path like 电子政务/税务/发票申领");
  // A precise grant without matters would authorise nothing; it is a mistake, not a grant.
  if (a.scope == "precise" && a.matters.empty()) invalid("matters", "a precise authorisation lists at least one matter");

  a.valid_from = string_field(j, "valid_from", true);
  a.valid_to = string_field(j, "valid_to", true);
  const auto from = parse_utc_timestamp(a.valid_from);
  if (!from) invalid("valid_from", "must be UTC like 2026-01-01T00:00:00Z, got '" + a.valid_from + "'");
  const auto to = parse_utc_timestamp(a.valid_to);
  if (!to) invalid("valid_to", "must be UTC like 2026-01-01T00:00:00Z, got '" + a.valid_to + "'");
  if (*to <= *from) invalid("valid_to", "must be after valid_from");
  a.seals = string_list(j, "seals");
  return a;
}

bool authorisation_covers(const Authorisation& a, std::string_view matter) {
  if (a.scope == "full") return true;
  if (a.scope != "precise") return false;
  const auto wanted = matter_segments(matter);
  if (!wanted) return false;
  // Compare whole segments: 电子政务/税 is not an ancestor of 电子政务/税务/x.
  for (const std::string& granted : a.matters) {
    const auto grant = matter_segments(granted);
    if (!grant || grant->size() > wanted->size()) continue;
    bool ancestor_or_same = true;
    for (std::size_t i = 0; i < grant->size() && ancestor_or_same; ++i) ancestor_or_same = (*grant)[i] == (*wanted)[i];
    if (ancestor_or_same) return true;
  }
  return false;
}

bool authorisation_in_effect(const Authorisation& a, std::chrono::system_clock::time_point at) {
  const auto from = parse_utc_timestamp(a.valid_from);
  const auto to = parse_utc_timestamp(a.valid_to);
  if (!from || !to) return false;
  const auto at_seconds = std::chrono::floor<std::chrono::seconds>(at);
  return *from <= at_seconds && at_seconds <= *to;
}

}  // namespace zhaoyin::domain
