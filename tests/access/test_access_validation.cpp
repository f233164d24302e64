// validate(): every rule of the access form refusing, named by its field.
#include <access_fixture.h>
#include <catch2/catch.hpp>
#include <zhaoyin/access/form_labels.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::AccessForm;

namespace {

std::vector<std::string> fields_of(const std::vector<access::FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

// The errors of a valid form changed by `change`.
std::vector<access::FieldError> errors_after(const std::function<void(AccessForm&)>& change) {
  auto f = valid_form();
  change(f);
  return access::validate(f, known_matters());
}

// Exactly one error, on `field`; returns its message.
std::string only_error(const std::function<void(AccessForm&)>& change, const std::string& field) {
  const auto errors = errors_after(change);
  INFO("fields with errors: " << nlohmann::json(fields_of(errors)).dump());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == field);
  CHECK_FALSE(errors[0].message.empty());
  return errors[0].message;
}

}  // namespace

TEST_CASE("a complete form is valid") {
  CHECK(access::validate(valid_form(), known_matters()).empty());
  auto f = valid_form();
  f.scope = "national";
  f.province = "";
  f.needs = {"signature", "other"};
  f.needs_other = "电子印章核验";
  f.contact_phone = "027-87654321-123";
  f.system_host = "10.20.30.40";
  f.redirect_uris = {};
  CHECK(access::validate(f, known_matters()).empty());
  f.system_host = "2001:db8::1";
  f.contact_phone = "02787654321";
  CHECK(access::validate(f, known_matters()).empty());
}

TEST_CASE("the USCC check digit is verified") {
  const auto message = only_error([](AccessForm& f) { f.uscc = "91110108700338416A"; }, "uscc");
  CHECK(message.find("校验位") != std::string::npos);
  CHECK(only_error([](AccessForm& f) { f.uscc = "9111010870033841"; }, "uscc").find("18位") != std::string::npos);
  only_error([](AccessForm& f) { f.uscc = "91110108700338416I"; }, "uscc");
  only_error([](AccessForm& f) { f.uscc = ""; }, "uscc");
}

TEST_CASE("required text fields refuse blanks and overlong values") {
  for (const std::string& field : std::vector<std::string>{"org_name", "address", "contact_name", "contact_position", "system_name",
                                  "business_summary", "industry"}) {
    DYNAMIC_SECTION(field) {
      only_error(
          [&](AccessForm& f) {
            auto j = access::to_json(f);
            j[field] = "   ";
            f = access::form_from_json(j);
          },
          field);
      only_error(
          [&](AccessForm& f) {
            auto j = access::to_json(f);
            j[field] = std::string(3000, 'x');
            f = access::form_from_json(j);
          },
          field);
    }
  }
}

TEST_CASE("phone numbers: mobile or landline with area code") {
  for (const std::string& bad : std::vector<std::string>{"12800138000", "1380013800", "138001380001", "87654321", "010-123", "phone",
                                "+8613800138000"}) {
    DYNAMIC_SECTION(bad) { only_error([&](AccessForm& f) { f.contact_phone = bad; }, "contact_phone"); }
  }
}

TEST_CASE("email needs one @ and a dotted domain") {
  for (const std::string& bad : std::vector<std::string>{"liming", "li@ming@example.cn", "liming@localhost", "@example.cn", "li ming@example.cn",
                                "liming@example..cn", "liming@-example.cn"}) {
    DYNAMIC_SECTION(bad) { only_error([&](AccessForm& f) { f.contact_email = bad; }, "contact_email"); }
  }
}

TEST_CASE("the system host is a DNS name or an IP literal, the port 1..65535") {
  for (const std::string& bad : std::vector<std::string>{"", "etax example.cn", "-etax.example.cn", "etax_.example.cn", "999.1.1.1",
                                "https://etax.example.cn", "etax.example.cn:443", std::string(260, 'a')}) {
    DYNAMIC_SECTION("host " << bad.substr(0, 40)) { only_error([&](AccessForm& f) { f.system_host = bad; }, "system_host"); }
  }
  only_error([](AccessForm& f) { f.system_port = 0; }, "system_port");
  only_error([](AccessForm& f) { f.system_port = 65536; }, "system_port");
}

TEST_CASE("enumerations: nature, field, needs, scope, channels") {
  only_error([](AccessForm& f) { f.org_nature = "company"; }, "org_nature");
  only_error([](AccessForm& f) { f.needs = {}; }, "needs");
  only_error([](AccessForm& f) { f.needs = {"login", "teleport"}; }, "needs");
  only_error([](AccessForm& f) { f.needs = {"login", "other"}; }, "needs_other");
  only_error([](AccessForm& f) { f.channels = {}; }, "channels");
  only_error([](AccessForm& f) { f.channels = {"fax"}; }, "channels");
  only_error([](AccessForm& f) { f.scope = "world"; }, "scope");
  only_error([](AccessForm& f) { f.province = ""; }, "province");
  only_error([](AccessForm& f) { f.province = "99"; }, "province");
  only_error([](AccessForm& f) { f.province = "4201"; }, "province");
  // A field outside the two is reported once, on `field` (not again on every matter).
  only_error([](AccessForm& f) { f.field = "e_health"; }, "field");
}

TEST_CASE("the data interface need requires its purpose, at most 200 characters") {
  only_error([](AccessForm& f) { f.needs = {"login", "data_interface"}; }, "data_purpose");
  only_error([](AccessForm& f) {
    f.needs = {"data_interface"};
    f.data_purpose = "   ";
  }, "data_purpose");
  only_error([](AccessForm& f) {
    f.needs = {"data_interface"};
    f.data_purpose = std::string(201 * 3, 'a');
  }, "data_purpose");
  AccessForm f = valid_form();
  f.needs = {"presentation", "data_interface"};
  f.data_purpose = "税务稽查案件中核对企业登记信息与关联许可";
  CHECK(access::validate(f, known_matters()).empty());
  CHECK(access::form_from_json(access::to_json(f)).data_purpose == f.data_purpose);
  CHECK(access::labels().at("data_purpose") == "数据接口用途");
}

TEST_CASE("volumes are positive and bounded") {
  only_error([](AccessForm& f) { f.annual_volume_wan = 0; }, "annual_volume_wan");
  only_error([](AccessForm& f) { f.annual_volume_wan = -5; }, "annual_volume_wan");
  only_error([](AccessForm& f) { f.annual_volume_wan = 10'000'001; }, "annual_volume_wan");
  only_error([](AccessForm& f) { f.peak_rate = 0; }, "peak_rate");
  only_error([](AccessForm& f) { f.peak_rate = 1'000'001; }, "peak_rate");
}

TEST_CASE("matters come from the plugins' tree and agree with the field") {
  only_error([](AccessForm& f) { f.matters = {}; }, "matters");
  const auto unknown = only_error([](AccessForm& f) { f.matters = {"电子政务/税务/出口退税"}; }, "matters");
  CHECK(unknown.find("出口退税") != std::string::npos);
  // A prefix of whole segments is a matter group; a partial segment is not.
  CHECK(errors_after([](AccessForm& f) { f.matters = {"电子政务/税务"}; }).empty());
  CHECK(errors_after([](AccessForm& f) { f.matters = {"电子政务"}; }).empty());
  only_error([](AccessForm& f) { f.matters = {"电子政务/税"}; }, "matters");
  const auto mismatch = only_error([](AccessForm& f) { f.matters = {"电子商务/银行/对公开户"}; }, "matters");
  CHECK(mismatch.find("电子政务") != std::string::npos);
  only_error(
      [](AccessForm& f) {
        f.field = "e_commerce";
        f.matters = {"电子政务/税务/发票申领"};
      },
      "matters");
  CHECK(errors_after([](AccessForm& f) {
          f.field = "e_commerce";
          f.industry = "银行";
          f.matters = {"电子商务/银行/对公开户"};
        }).empty());
}

TEST_CASE("redirect URIs are https, or http on the loopback") {
  only_error([](AccessForm& f) { f.redirect_uris = {"http://etax.example.gov.cn/cb"}; }, "redirect_uris");
  only_error([](AccessForm& f) { f.redirect_uris = {"https://etax.example.gov.cn/cb#frag"}; }, "redirect_uris");
  only_error([](AccessForm& f) { f.redirect_uris = {"javascript:alert(1)"}; }, "redirect_uris");
  only_error([](AccessForm& f) { f.redirect_uris = {"http://127.0.0.1.evil.cn/cb"}; }, "redirect_uris");
  CHECK(errors_after([](AccessForm& f) {
          f.systems = {{"本机", "localhost", 9000}, {"门户", "a.example.cn", 443}};
          f.redirect_uris = {"http://localhost:9000/cb", "https://a.example.cn"};
        }).empty());
  // Registered exactly as a browser reads them (issue 17 item 6): the hosted
  // page and the OIDC provider compare byte for byte, so nothing a browser
  // would read differently can be registered either.
  for (const char* uri : {"https://etax.example.gov.cn\\@evil.example/cb", "https://etax.example.gov.cn@evil.example/cb",
                          "https://evil.example%2f@etax.example.gov.cn/cb", "https://例子.测试/cb",
                          "https://etax.example.gov.cn./cb", "https://ETAX.example.gov.cn/cb", "https://etax.example.gov.cn/\tcb",
                          "//etax.example.gov.cn/cb"}) {
    INFO(uri);
    only_error([&](AccessForm& f) { f.redirect_uris = {uri}; }, "redirect_uris");
  }
  CHECK(errors_after([](AccessForm& f) {
          f.systems = {{"国际化域名门户", "xn--fsqu00a.xn--0zwm56d", 443}};
          f.redirect_uris = {"https://xn--fsqu00a.xn--0zwm56d/cb"};
        }).empty());
}

TEST_CASE("redirect URIs must lie on a declared system, host and port") {
  // The fixture declares etax.example.gov.cn:443 (primary) and 127.0.0.1:8765.
  for (const char* uri : {"https://evil.example.cn/cb", "https://etax.example.gov.cn:8443/cb", "http://127.0.0.1:8766/cb",
                          "http://127.0.0.1/cb", "https://sub.etax.example.gov.cn/cb", "http://localhost:8765/cb"}) {
    INFO(uri);
    const auto message = only_error([&](AccessForm& f) { f.redirect_uris = {uri}; }, "redirect_uris");
    CHECK(message.find("不在申报的办事系统中") != std::string::npos);
  }
  // An explicit default port is the same endpoint; a declared IPv6 literal matches with or without brackets.
  CHECK(errors_after([](AccessForm& f) { f.redirect_uris = {"https://etax.example.gov.cn:443/cb"}; }).empty());
  CHECK(errors_after([](AccessForm& f) {
          f.systems = {{"IPv6", "[::1]", 9443}, {"大写", "Portal.Example.CN", 443}};
          f.redirect_uris = {"http://[::1]:9443/cb", "https://portal.example.cn/cb"};
        }).empty());
  // Without redirect URIs nothing needs declaring beyond the primary system.
  CHECK(errors_after([](AccessForm& f) {
          f.systems.clear();
          f.redirect_uris.clear();
        }).empty());
}

TEST_CASE("declared systems are named, on a valid host and port, and not repeated") {
  CHECK(only_error([](AccessForm& f) { f.systems.push_back({"", "b.example.cn", 443}); }, "systems").find("名称") !=
        std::string::npos);
  only_error([](AccessForm& f) { f.systems.push_back({"坏主机", "bad host", 443}); }, "systems");
  only_error([](AccessForm& f) { f.systems.push_back({"坏端口", "b.example.cn", 0}); }, "systems");
  only_error([](AccessForm& f) { f.systems.push_back({"坏端口", "b.example.cn", 65536}); }, "systems");
  CHECK(only_error([](AccessForm& f) { f.systems.push_back({"重复", "ETAX.example.gov.cn", 443}); }, "systems").find("重复") !=
        std::string::npos);
  only_error(
      [](AccessForm& f) {
        for (int i = 0; i < 10; ++i) f.systems.push_back({"系统", "s" + std::to_string(i) + ".example.cn", 443});
      },
      "systems");
}

TEST_CASE("the acknowledgement of the access rules is required") {
  const auto message = only_error([](AccessForm& f) { f.acknowledged = false; }, "acknowledged");
  CHECK(message.find("《电子营业执照应用接入规范》") != std::string::npos);
  CHECK(message.find("管理办法") != std::string::npos);
  // As JSON: a boolean, or a form post's "1"/"on"; anything else is a field error.
  CHECK(access::form_from_json(nlohmann::json{{"acknowledged", true}}).acknowledged);
  CHECK(access::form_from_json(nlohmann::json{{"acknowledged", "on"}}).acknowledged);
  CHECK_FALSE(access::form_from_json(nlohmann::json{{"acknowledged", "0"}}).acknowledged);
  try {
    access::form_from_json(nlohmann::json{{"acknowledged", "yes please"}, {"systems", {{{"name", 1}}}}});
    FAIL("form_from_json accepted a wrong acknowledgement");
  } catch (const access::AccessError& e) {
    CHECK(e.code() == "invalid_form");
    CHECK(fields_of(e.fields()) == std::vector<std::string>{"systems", "acknowledged"});
  }
}

TEST_CASE("an empty form reports every required field at once") {
  const auto errors = access::validate(AccessForm{}, known_matters());
  const auto fields = fields_of(errors);
  for (const std::string& f : std::vector<std::string>{"org_name", "org_nature", "uscc", "address", "contact_name", "contact_position",
                              "contact_phone", "contact_email", "system_name", "system_host", "field", "industry",
                              "business_summary", "needs", "scope", "channels", "annual_volume_wan", "peak_rate",
                              "matters", "acknowledged"})
    CHECK(std::count(fields.begin(), fields.end(), f) == 1);
  for (const auto& e : errors) CHECK_FALSE(e.message.empty());
}

TEST_CASE("the form's JSON round-trips, and wrong types are field errors") {
  const auto f = valid_form();
  CHECK(access::to_json(access::form_from_json(access::to_json(f))) == access::to_json(f));
  try {
    access::form_from_json(nlohmann::json{{"system_port", "eighty"}, {"needs", 3}, {"org_name", 12}});
    FAIL("form_from_json accepted wrong types");
  } catch (const access::AccessError& e) {
    CHECK(e.status() == 422);
    CHECK(e.code() == "invalid_form");
    const auto fields = fields_of(e.fields());
    CHECK(fields == std::vector<std::string>{"org_name", "system_port", "needs"});
  }
  CHECK(access::form_from_json(nlohmann::json{{"system_port", "8443"}}).system_port == 8443);
}

TEST_CASE("labels, statuses and actions") {
  CHECK(access::labels().at("org_name") == "机构名称");
  CHECK(access::labels().at("scope.province") == "本省");
  CHECK(access::labels().at("province") == "省份");
  CHECK(access::labels().at("wechat_mini") == "微信小程序");
  CHECK(access::value_label("needs", "other") == "其他");
  CHECK(access::province_name("42") == "湖北省");
  for (const std::string& s : std::vector<std::string>{"draft", "submitted", "accepted", "returned", "rejected", "active", "suspended", "revoked"})
    CHECK(access::to_string(*access::status_from(s)) == s);
  CHECK_FALSE(access::status_from("approved"));
  CHECK(access::status_label(access::Status::Returned) == "退回修改");
  for (const std::string& a : std::vector<std::string>{"submit", "accept", "return", "approve", "reject", "suspend", "resume", "revoke",
                              "rotate_secret"})
    CHECK(access::to_string(*access::action_from(a)) == a);
  CHECK_FALSE(access::action_from("delete"));
}

TEST_CASE("flatten_matters reads the extensions' tree and nested nodes") {
  const auto paths = access::flatten_matters(nlohmann::json::parse(R"([
    {"path": "电子政务/税务/纳税申报", "name": "纳税申报", "source": "tax"},
    {"path": "电子政务/税务/发票申领", "name": "发票申领", "source": "tax"},
    {"path": "电子政务/税务/发票申领", "name": "发票申领", "source": "script"},
    {"name": "no path"},
    {"path": "电子商务", "children": [{"path": "电子商务/银行/对公开户"}]},
    "电子政务/社保/参保登记"
  ])"));
  CHECK(paths == std::vector<std::string>{"电子商务", "电子商务/银行/对公开户", "电子政务/社保/参保登记",
                                          "电子政务/税务/发票申领", "电子政务/税务/纳税申报"});
  CHECK(access::flatten_matters(nlohmann::json::array()).empty());
  CHECK(access::flatten_matters(nullptr).empty());
}

TEST_CASE("the technical service provider is all three fields or none") {
  CHECK(errors_after([](AccessForm& f) {
          f.provider_name = "济宁数字科技有限公司";
          f.provider_contact = "王五";
          f.provider_phone = "0537-2345678";
        }).empty());
  CHECK(only_error([](AccessForm& f) { f.provider_name = "济宁数字科技有限公司"; f.provider_phone = "13900000000"; },
                   "provider_contact") == "请填写技术服务单位联系人");
  CHECK(only_error([](AccessForm& f) { f.provider_contact = "王五"; f.provider_phone = "13900000000"; },
                   "provider_name") == "请填写技术服务单位");
  CHECK(only_error(
            [](AccessForm& f) {
              f.provider_name = "济宁数字科技有限公司";
              f.provider_contact = "王五";
              f.provider_phone = "12345";
            },
            "provider_phone")
            .find("技术服务单位联系电话应为") == 0);
  // Round-trips through JSON with the rest of the form.
  auto f = valid_form();
  f.provider_name = "济宁数字科技有限公司";
  CHECK(access::form_from_json(access::to_json(f)).provider_name == "济宁数字科技有限公司");
}
