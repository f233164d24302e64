#pragma once
// The electronic business license as the relying party sees it: face info
// (照面信息), holders and their authorisations. JSON keys are English, labels
// Chinese; the label of some fields depends on the enterprise type.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zhaoyin::domain {

// 类型. The kind decides the labels of legal_representative and address.
enum class EnterpriseKind {
  LimitedCompany,      // 有限责任公司: 法定代表人, 住所
  JointStockCompany,   // 股份有限公司: 法定代表人, 住所
  IndividualBusiness,  // 个体工商户: 经营者, 经营场所
  Partnership,         // 合伙企业: 执行事务合伙人, 主要经营场所
  Branch,              // 分公司: 负责人, 营业场所
};

enum class LicenseStatus { Active, Revoked, Cancelled };  // 存续 / 吊销 / 注销

std::string to_string(EnterpriseKind k);        // "limited_company", ...
EnterpriseKind enterprise_kind_from(std::string_view s);  // throws std::invalid_argument
std::string to_string(LicenseStatus s);         // "active" | "revoked" | "cancelled"
std::string status_label(LicenseStatus s);      // 存续 | 吊销 | 注销
LicenseStatus license_status_from(std::string_view s);

struct FaceInfo {
  std::string uscc;
  std::string name;
  std::string type;                  // the type text on the license, e.g. 有限责任公司(自然人投资或控股)
  EnterpriseKind kind = EnterpriseKind::LimitedCompany;
  std::string legal_representative;
  std::string registered_capital;    // e.g. 500万元人民币; empty for 个体工商户 (资金数额 optional)
  std::string established;           // YYYY-MM-DD
  std::string term_from;             // YYYY-MM-DD
  std::string term_to;               // YYYY-MM-DD, or "" for 长期 (open-ended)
  std::string address;
  std::string business_scope;
  std::string registration_authority;
  std::string approval_date;         // YYYY-MM-DD
  LicenseStatus status = LicenseStatus::Active;
};

// {"uscc":..., "name":..., ..., "kind":"branch", "status":"active", "status_label":"存续",
//  "term_to_text":"长期" (or the date), "labels": {"uscc":"统一社会信用代码", "legal_representative":"负责人", ...}}
nlohmann::json to_json(const FaceInfo& f);
// Throws std::invalid_argument naming the field: the USCC must pass uscc_valid;
// uscc, name, type, legal_representative, established, term_from, address,
// business_scope, registration_authority, approval_date and status are required
// (registered_capital too for companies); dates are YYYY-MM-DD; term_to may be
// empty, absent or "长期" for open-ended. "kind" may be left out when the type
// text names it (…分公司, 个体…, …合伙…, 股份有限公司, 有限责任公司).
FaceInfo face_info_from_json(const nlohmann::json& j);
// Field label for this enterprise kind, e.g. label(Branch, "legal_representative") == "负责人".
std::string label(EnterpriseKind kind, std::string_view field);

enum class HolderRole { LegalRepresentative, Administrator, Agent };
std::string to_string(HolderRole r);       // legal_representative | administrator | agent
std::string role_label(HolderRole r);      // 法定代表人 | 证照管理员 | 办事人
HolderRole holder_role_from(std::string_view s);

// An authorisation from the legal representative to a holder (授权书). The legal
// representative holds full authority by law and has no grant.
struct Authorisation {
  std::string scope = "full";          // "full" (全业务授权) | "precise" (精准授权)
  std::vector<std::string> matters;    // precise only: matter paths, e.g. 电子政务/税务/发票申领
  std::string valid_from;              // ISO 8601 UTC, e.g. 2026-01-01T00:00:00Z
  std::string valid_to;
  std::vector<std::string> seals;      // esIDs the holder may use (seal-use authorisation)
};
nlohmann::json to_json(const Authorisation& a);
// Throws std::invalid_argument naming the field: scope full|precise, precise
// needs at least one matter, matter paths have no empty segment, valid_from and
// valid_to are YYYY-MM-DDTHH:MM:SSZ with valid_to after valid_from.
Authorisation authorisation_from_json(const nlohmann::json& j);

// True if `matter` is covered: full scope, or a listed matter equal to it or an
// ancestor of it in the matter tree ("电子政务/税务" covers "电子政务/税务/发票申领").
// Paths are compared segment by segment: "电子政务/税" does not cover "电子政务/税务/x".
bool authorisation_covers(const Authorisation& a, std::string_view matter);

// True if `at` lies within [valid_from, valid_to]; false when either is unreadable.
bool authorisation_in_effect(const Authorisation& a, std::chrono::system_clock::time_point at);

}  // namespace zhaoyin::domain
