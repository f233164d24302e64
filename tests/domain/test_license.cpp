// License face info (labels, JSON, validation) and authorisations.
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <zhaoyin/domain/license.h>

using namespace zhaoyin::domain;
using nlohmann::json;

namespace {

FaceInfo sample_company() {
  FaceInfo f;
  f.uscc = "91110108700338416R";
  f.name = "北京照印示例科技有限公司";
  f.type = "有限责任公司(自然人投资或控股)";
  f.kind = EnterpriseKind::LimitedCompany;
  f.legal_representative = "张三";
  f.registered_capital = "500万元人民币";
  f.established = "2001-05-18";
  f.term_from = "2001-05-18";
  f.term_to = "";
  f.address = "北京市海淀区中关村大街1号";
  f.business_scope = "技术开发、技术咨询、技术服务。";
  f.registration_authority = "北京市海淀区市场监督管理局";
  f.approval_date = "2024-03-01";
  f.status = LicenseStatus::Active;
  return f;
}

std::string message_of(const json& j) {
  try {
    face_info_from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

std::string authorisation_message_of(const json& j) {
  try {
    authorisation_from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

Authorisation precise(std::vector<std::string> matters) {
  Authorisation a;
  a.scope = "precise";
  a.matters = std::move(matters);
  a.valid_from = "2026-01-01T00:00:00Z";
  a.valid_to = "2026-12-31T23:59:59Z";
  return a;
}

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h};
}

}  // namespace

TEST_CASE("Face info labels follow the enterprise kind") {
  using K = EnterpriseKind;
  CHECK(label(K::LimitedCompany, "legal_representative") == "法定代表人");
  CHECK(label(K::JointStockCompany, "legal_representative") == "法定代表人");
  CHECK(label(K::IndividualBusiness, "legal_representative") == "经营者");
  CHECK(label(K::Partnership, "legal_representative") == "执行事务合伙人");
  CHECK(label(K::Branch, "legal_representative") == "负责人");

  CHECK(label(K::LimitedCompany, "address") == "住所");
  CHECK(label(K::JointStockCompany, "address") == "住所");
  CHECK(label(K::IndividualBusiness, "address") == "经营场所");
  CHECK(label(K::Partnership, "address") == "主要经营场所");
  CHECK(label(K::Branch, "address") == "营业场所");

  CHECK(label(K::LimitedCompany, "registered_capital") == "注册资本");
  CHECK(label(K::IndividualBusiness, "registered_capital") == "资金数额");
  CHECK(label(K::LimitedCompany, "established") == "成立日期");
  CHECK(label(K::IndividualBusiness, "established") == "注册日期");

  for (K k : {K::LimitedCompany, K::JointStockCompany, K::IndividualBusiness, K::Partnership, K::Branch}) {
    CHECK(label(k, "uscc") == "统一社会信用代码");
    CHECK(label(k, "name") == "名称");
    CHECK(label(k, "type") == "类型");
    CHECK(label(k, "term_from") == "营业期限自");
    CHECK(label(k, "term_to") == "营业期限至");
    CHECK(label(k, "business_scope") == "经营范围");
    CHECK(label(k, "registration_authority") == "登记机关");
    CHECK(label(k, "approval_date") == "核准日期");
    CHECK(label(k, "status") == "登记状态");
    CHECK(enterprise_kind_from(to_string(k)) == k);
  }
  CHECK_THROWS_AS(label(K::Branch, "shoe_size"), std::invalid_argument);
  CHECK_THROWS_AS(enterprise_kind_from("cooperative"), std::invalid_argument);
}

TEST_CASE("Face info JSON carries English keys, Chinese labels and round-trips") {
  FaceInfo f = sample_company();
  const json j = to_json(f);
  CHECK(j["uscc"] == "91110108700338416R");
  CHECK(j["kind"] == "limited_company");
  CHECK(j["status"] == "active");
  CHECK(j["status_label"] == "存续");
  CHECK(j["term_to"] == "");
  CHECK(j["term_to_text"] == "长期");
  CHECK(j["labels"]["uscc"] == "统一社会信用代码");
  CHECK(j["labels"]["legal_representative"] == "法定代表人");
  CHECK(j["labels"]["address"] == "住所");

  const FaceInfo back = face_info_from_json(j);
  CHECK(to_json(back) == j);
  CHECK(back.name == f.name);
  CHECK(back.term_to.empty());

  f.kind = EnterpriseKind::Branch;
  f.type = "有限责任公司分公司(自然人投资或控股)";
  f.term_to = "2031-05-17";
  f.status = LicenseStatus::Revoked;
  const json branch = to_json(f);
  CHECK(branch["labels"]["legal_representative"] == "负责人");
  CHECK(branch["labels"]["address"] == "营业场所");
  CHECK(branch["term_to_text"] == "2031-05-17");
  CHECK(branch["status_label"] == "吊销");
  const FaceInfo branch_back = face_info_from_json(branch);
  CHECK(branch_back.kind == EnterpriseKind::Branch);
  CHECK(branch_back.status == LicenseStatus::Revoked);
  CHECK(to_json(branch_back) == branch);
}

TEST_CASE("Face info: 长期 and a missing term_to both mean open-ended — kind inferred from the type text") {
  json j = to_json(sample_company());
  j["term_to"] = "长期";
  CHECK(face_info_from_json(j).term_to.empty());
  j.erase("term_to");
  CHECK(face_info_from_json(j).term_to.empty());

  j.erase("kind");
  j["type"] = "个体工商户";
  j.erase("registered_capital");
  CHECK(face_info_from_json(j).kind == EnterpriseKind::IndividualBusiness);
  j["type"] = "股份有限公司(上市、自然人投资或控股)";
  j["registered_capital"] = "1亿元人民币";
  CHECK(face_info_from_json(j).kind == EnterpriseKind::JointStockCompany);
  j["type"] = "普通合伙企业";
  CHECK(face_info_from_json(j).kind == EnterpriseKind::Partnership);
  j["type"] = "其他";
  CHECK(message_of(j).find("'kind'") != std::string::npos);
}

TEST_CASE("Face info: an invalid USCC is refused") {
  json j = to_json(sample_company());
  j["uscc"] = "91110108700338416Q";  // wrong check character
  CHECK(message_of(j).find("'uscc'") != std::string::npos);
  j["uscc"] = "91110108700338416r";
  CHECK(message_of(j).find("'uscc'") != std::string::npos);
  j["uscc"] = 91110108;
  CHECK(message_of(j).find("'uscc'") != std::string::npos);
}

TEST_CASE("Face info: every required field is named when missing") {
  for (const char* field : {"uscc", "name", "type", "legal_representative", "registered_capital", "established",
                            "term_from", "address", "business_scope", "registration_authority", "approval_date",
                            "status"}) {
    json j = to_json(sample_company());
    j.erase(field);
    const std::string message = message_of(j);
    INFO(field << ": " << message);
    CHECK(message.find(std::string("'") + field + "'") != std::string::npos);
    j[field] = "";
    CHECK(message_of(j).find(std::string("'") + field + "'") != std::string::npos);
  }
  CHECK(message_of(json::array()) != "accepted");
  CHECK(message_of(json("text")) != "accepted");
}

TEST_CASE("Face info: dates must be real YYYY-MM-DD dates") {
  for (const char* field : {"established", "term_from", "approval_date", "term_to"}) {
    for (const char* bad : {"2001/05/18", "2001-5-18", "2001-02-30", "2001-13-01", "18-05-2001", "2001-05-18T00:00:00Z"}) {
      json j = to_json(sample_company());
      j[field] = bad;
      const std::string message = message_of(j);
      INFO(field << " = " << bad << ": " << message);
      CHECK(message.find(std::string("'") + field + "'") != std::string::npos);
    }
  }
  json j = to_json(sample_company());
  j["term_to"] = "2000-01-01";  // ends before it starts
  CHECK(message_of(j).find("'term_to'") != std::string::npos);
  j["term_to"] = "2024-02-29";  // leap day is a real date
  CHECK(message_of(j) == "accepted");
}

TEST_CASE("Face info: unknown status and kind are refused") {
  json j = to_json(sample_company());
  j["status"] = "dormant";
  CHECK(message_of(j).find("'status'") != std::string::npos);
  j["status"] = "注销";
  CHECK(face_info_from_json(j).status == LicenseStatus::Cancelled);
  j["kind"] = "cooperative";
  CHECK(message_of(j).find("'kind'") != std::string::npos);
}

TEST_CASE("Holder roles and license statuses map to names and labels") {
  CHECK(to_string(HolderRole::LegalRepresentative) == "legal_representative");
  CHECK(role_label(HolderRole::LegalRepresentative) == "法定代表人");
  CHECK(role_label(HolderRole::Administrator) == "证照管理员");
  CHECK(role_label(HolderRole::Agent) == "办事人");
  CHECK(holder_role_from("agent") == HolderRole::Agent);
  CHECK_THROWS_AS(holder_role_from("owner"), std::invalid_argument);
  CHECK(status_label(LicenseStatus::Cancelled) == "注销");
  CHECK(license_status_from("revoked") == LicenseStatus::Revoked);
  CHECK_THROWS_AS(license_status_from(""), std::invalid_argument);
}

TEST_CASE("Authorisation: full covers every matter") {
  Authorisation full;
  full.scope = "full";
  CHECK(authorisation_covers(full, "电子政务/税务/发票申领"));
  CHECK(authorisation_covers(full, "电子商务"));
}

TEST_CASE("Authorisation: precise covers exactly its matters and their descendants") {
  const Authorisation a = precise({"电子政务/税务", "电子商务/银行/开户"});
  CHECK(authorisation_covers(a, "电子政务/税务"));             // exact
  CHECK(authorisation_covers(a, "电子政务/税务/发票申领"));    // descendant
  CHECK(authorisation_covers(a, "电子商务/银行/开户"));
  CHECK_FALSE(authorisation_covers(a, "电子商务/银行"));        // an ancestor is broader than the grant
  CHECK_FALSE(authorisation_covers(a, "电子商务/银行/贷款"));   // sibling
  CHECK_FALSE(authorisation_covers(a, "电子政务/社保/参保登记"));
  CHECK_FALSE(authorisation_covers(a, "电子政务"));
  CHECK_FALSE(authorisation_covers(a, ""));
  CHECK_FALSE(authorisation_covers(a, "电子政务//税务"));
}

TEST_CASE("Authorisation: matter paths are compared by segment, not by string prefix") {
  const Authorisation a = precise({"电子政务/税"});
  CHECK_FALSE(authorisation_covers(a, "电子政务/税务/x"));
  CHECK_FALSE(authorisation_covers(a, "电子政务/税务"));
  CHECK(authorisation_covers(a, "电子政务/税/x"));
  const Authorisation b = precise({"电子政务/税务/发票"});
  CHECK_FALSE(authorisation_covers(b, "电子政务/税务/发票申领"));
}

TEST_CASE("Authorisation: an unknown scope covers nothing") {
  Authorisation a = precise({"电子政务"});
  a.scope = "everything";
  CHECK_FALSE(authorisation_covers(a, "电子政务/税务"));
}

TEST_CASE("Authorisation JSON round-trips and is validated") {
  Authorisation a = precise({"电子政务/税务/发票申领"});
  a.seals = {"4201000000001", "4201000000002"};
  const json j = to_json(a);
  const Authorisation back = authorisation_from_json(j);
  CHECK(back.scope == "precise");
  CHECK(back.matters == a.matters);
  CHECK(back.seals == a.seals);
  CHECK(back.valid_from == a.valid_from);
  CHECK(to_json(back) == j);

  json bad = j;
  bad["scope"] = "partial";
  CHECK(authorisation_message_of(bad).find("'scope'") != std::string::npos);
  bad = j;
  bad["matters"] = json::array();
  CHECK(authorisation_message_of(bad).find("'matters'") != std::string::npos);
  bad["matters"] = {"电子政务/", "x"};
  CHECK(authorisation_message_of(bad).find("'matters'") != std::string::npos);
  bad = j;
  bad["matters"] = {42};
  CHECK(authorisation_message_of(bad).find("'matters'") != std::string::npos);
  bad = j;
  bad["valid_from"] = "2026-01-01 00:00:00";
  CHECK(authorisation_message_of(bad).find("'valid_from'") != std::string::npos);
  bad = j;
  bad["valid_to"] = "2025-12-31T00:00:00Z";  // before valid_from
  CHECK(authorisation_message_of(bad).find("'valid_to'") != std::string::npos);
  bad = j;
  bad.erase("valid_to");
  CHECK(authorisation_message_of(bad).find("'valid_to'") != std::string::npos);

  json full = {{"scope", "full"}, {"valid_from", "2026-01-01T00:00:00Z"}, {"valid_to", "2027-01-01T00:00:00Z"}};
  CHECK(authorisation_from_json(full).matters.empty());
}

TEST_CASE("Authorisation: in effect only inside its validity period") {
  const Authorisation a = precise({"电子政务"});
  CHECK(authorisation_in_effect(a, utc(2026, 6, 1)));
  CHECK(authorisation_in_effect(a, utc(2026, 1, 1)));
  CHECK_FALSE(authorisation_in_effect(a, utc(2025, 12, 31, 23)));
  CHECK_FALSE(authorisation_in_effect(a, utc(2027, 1, 1)));
  Authorisation forever = a;
  forever.valid_to = "9999-12-31T23:59:59Z";  // far past what system_clock can count in nanoseconds
  CHECK(authorisation_from_json(to_json(forever)).valid_to == forever.valid_to);
  CHECK(authorisation_in_effect(forever, utc(2200, 1, 1)));
  Authorisation unreadable = a;
  unreadable.valid_to = "someday";
  CHECK_FALSE(authorisation_in_effect(unreadable, utc(2026, 6, 1)));
}
