// The four demo applications mirror the access-application form
// (电子营业执照应用接入信息表): who applies, for which needs (出示验证/用户登录/电子签名),
// in which scope (本省/全国), through which channels, for which matters, and
// at which annual volume and peak rate the host will hold them to.
#include "applications.h"

#include <string>
#include <vector>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/uscc.h>

namespace zhaoyin::sandbox {

namespace {

struct Organisation {
  std::string name;
  std::string nature;  // 政府机关 | 事业单位 | 社会团体 | 企业 | 其他
  std::string uscc;
  std::string address;
  std::string contact;
  std::string position;
  std::string phone;
  std::string email;
  std::string system_name;
  std::string system_host;
  int system_port = 443;
  std::string field;   // 所属领域/行业/业务种类简介
};

struct ApplicationPlan {
  std::string department;
  std::string name;
  std::string scope;     // province | national
  std::string province;  // empty when national
  std::vector<std::string> needs;
  std::vector<std::string> channels;
  std::vector<std::string> matters;
  long annual_volume = 0;
  int peak_rate = 0;
  Organisation organisation;
};

// A USCC for a public body: registration authority 1 (机构编制), type 1 (机关)
// or 2 (事业单位), which uscc_generate (enterprises only) does not make.
std::string public_body_uscc(const std::string& region, char type, const std::string& body9) {
  const std::string first17 = std::string("1") + type + region + body9;
  return first17 + *trust::uscc_check_char(first17);
}

std::string random_token(std::size_t bytes) { return trust::base64url_encode(trust::random_bytes(bytes)); }

// The demo script of each department under scripts/<department>/.
std::string demo_script(const std::string& department) {
  if (department == "tax") return "etax_hall.lua";
  if (department == "social_insurance") return "online_service.lua";
  if (department == "real_estate") return "registration_hall.lua";
  return "corporate_banking.lua";
}

nlohmann::json to_json(const ApplicationPlan& a) {
  const Organisation& o = a.organisation;
  return nlohmann::json{
      {"client_id", "sbx-" + a.department + "-" + trust::hex_encode(trust::random_bytes(4))},
      {"client_secret", random_token(24)},
      {"name", a.name},
      {"department", a.department},
      {"scope", a.scope},
      {"province", a.province.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.province)},
      {"needs", a.needs},
      {"channels", a.channels},
      {"matters", a.matters},
      {"annual_volume", a.annual_volume},
      {"peak_rate", a.peak_rate},
      // The department plugin and the integrator's Lua script the demo
      // application runs (bound when the host imports it; see docs/PLUGINS.md
      // and docs/SCRIPTING.md).
      {"plugins", {a.department}},
      {"scripts", {a.department + "/" + demo_script(a.department)}},
      // OpenID Connect redirect URIs: the relying party's own system, and the
      // host's demo client on the default port (run.sh).
      {"redirect_uris",
       {"https://" + o.system_host + "/oidc/callback", "http://127.0.0.1:8080/demo/oidc/callback"}},
      {"organisation",
       {{"name", o.name},
        {"nature", o.nature},
        {"uscc", o.uscc},
        {"address", o.address},
        {"contact", {{"name", o.contact}, {"position", o.position}, {"phone", o.phone}, {"email", o.email}}},
        {"system", {{"name", o.system_name}, {"host", o.system_host}, {"port", o.system_port}}},
        {"field", o.field}}}};
}

std::vector<ApplicationPlan> plans() {
  return {
      {"tax", "湖北省电子税务局（沙箱）", "province", "42", {"login", "presentation", "signature", "data_interface"}, {"pc", "app"},
       {"电子政务/税务/发票申领", "电子政务/税务"}, 5000000, 200,
       {"国家税务总局湖北省税务局（沙箱）", "政府机关", public_body_uscc("420000", '1', "MB0000421"),
        "湖北省武汉市武昌区沙湖路8号（沙箱演示地址）", "陈明", "信息中心 工程师", "027-00000421",
        "tax-demo@sandbox.invalid", "湖北省电子税务局（沙箱）", "etax.hubei.sandbox.invalid", 443,
        "政务/税务：发票申领、纳税申报等业务的用户登录与电子签章"}},
      {"social_insurance", "河南省社会保险网上服务平台（沙箱）", "province", "41", {"login", "presentation"},
       {"pc", "wechat_mini"}, {"电子政务/社保/参保登记"}, 1200000, 80,
       {"河南省社会保险中心（沙箱）", "事业单位", public_body_uscc("410000", '2', "MB0000411"),
        "河南省郑州市金水区经三路15号（沙箱演示地址）", "王芳", "信息科 科长", "0371-00000411",
        "si-demo@sandbox.invalid", "河南省社会保险网上服务平台（沙箱）", "si.henan.sandbox.invalid", 443,
        "政务/人社：单位参保登记、人员增减的用户登录与执照出示"}},
      {"real_estate", "广东省不动产登记服务平台（沙箱）", "province", "44", {"presentation", "signature"},
       {"pc", "app"}, {"电子政务/不动产/转移登记"}, 800000, 50,
       {"广东省不动产登记中心（沙箱）", "事业单位", public_body_uscc("440000", '2', "MB0000441"),
        "广东省广州市越秀区东风中路305号（沙箱演示地址）", "李华", "登记科 主任", "020-00000441",
        "re-demo@sandbox.invalid", "广东省不动产登记服务平台（沙箱）", "bdc.guangdong.sandbox.invalid", 443,
        "政务/自然资源：不动产转移登记的执照出示与电子签章"}},
      {"banking", "沙箱商业银行企业网银（沙箱）", "national", "", {"login", "presentation", "signature", "data_interface"},
       {"pc", "app", "wechat_official"}, {"电子商务/银行/对公开户"}, 3000000, 150,
       {"沙箱商业银行股份有限公司（沙箱）", "企业", trust::uscc_generate("110000", '1', 660318),
        "北京市西城区金融大街1号（沙箱演示地址）", "赵磊", "公司金融部 经理", "010-00000110",
        "bank-demo@sandbox.invalid", "企业网上银行（沙箱）", "corp.bank.sandbox.invalid", 443,
        "金融/银行：对公开户的用户登录、执照出示与电子签章"}},
  };
}

}  // namespace

nlohmann::json demo_applications() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& plan : plans()) out.push_back(to_json(plan));
  return out;
}

}  // namespace zhaoyin::sandbox
