// The demo enterprises. They cover every enterprise kind whose face info is
// labelled differently (有限责任公司, 股份有限公司, 个体工商户, 合伙企业, 分公司), the four
// sandbox provinces, and the cases a relying party must refuse: a license
// whose status is 吊销, a holder certificate on the CRL, an expired authorisation.
#include "enterprises.h"

#include <zhaoyin/sandbox/error.h>

namespace zhaoyin::sandbox {

namespace {

using domain::EnterpriseKind;
using domain::HolderRole;
using domain::LicenseStatus;

constexpr int kKeyCompromise = 1;  // RFC 5280 CRLReason

// Matters (授权事项) the demo authorisations and applications use.
const std::string kInvoice = "电子政务/税务/发票申领";
const std::string kSocialInsurance = "电子政务/社保/参保登记";
const std::string kRealEstateTransfer = "电子政务/不动产/转移登记";
const std::string kBankAccount = "电子商务/银行/对公开户";

domain::FaceInfo face(std::string name, std::string type, EnterpriseKind kind, std::string legal_rep,
                      std::string capital, std::string established, std::string term_to,
                      std::string address, std::string scope, std::string authority,
                      std::string approval_date, LicenseStatus status = LicenseStatus::Active) {
  domain::FaceInfo f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.kind = kind;
  f.legal_representative = std::move(legal_rep);
  f.registered_capital = std::move(capital);
  f.established = established;
  f.term_from = std::move(established);
  f.term_to = std::move(term_to);
  f.address = std::move(address);
  f.business_scope = std::move(scope);
  f.registration_authority = std::move(authority);
  f.approval_date = std::move(approval_date);
  f.status = status;
  return f;
}

HolderPlan legal_rep(const std::string& name, const std::string& note) {
  HolderPlan h;
  h.name = name;
  h.role = HolderRole::LegalRepresentative;
  h.scope = "full";
  h.note = note;
  return h;
}

HolderPlan holder(const std::string& name, HolderRole role, std::vector<std::string> matters,
                  std::vector<std::string> seal_types, const std::string& note) {
  HolderPlan h;
  h.name = name;
  h.role = role;
  h.scope = matters.empty() ? "full" : "precise";
  h.matters = std::move(matters);
  h.seal_types = std::move(seal_types);
  h.note = note;
  return h;
}

// The seal sets new enterprises are given (同章同模): four seals — 法定名称章,
// 财务专用章, 发票专用章 and the 法定代表人名章 — or five, with the 合同专用章
// as well. The legal representative's seal is in both.
const std::vector<std::string> kFourSeals = {"company", "finance", "invoice", "legal_rep"};
const std::vector<std::string> kFiveSeals = {"company", "finance", "contract", "invoice", "legal_rep"};

}  // namespace

const std::vector<Province>& sandbox_provinces() {
  static const std::vector<Province> provinces = {
      {"42", "湖北", "湖北省", "Hubei"},
      {"41", "河南", "河南省", "Henan"},
      {"44", "广东", "广东省", "Guangdong"},
      {"37", "山东", "山东省", "Shandong"},
  };
  return provinces;
}

const Province& province(const std::string& code) {
  for (const auto& p : sandbox_provinces()) {
    if (p.code == code) return p;
  }
  throw SandboxError("the sandbox has no issuing CA for province " + code);
}

std::vector<EnterprisePlan> demo_enterprises() {
  std::vector<EnterprisePlan> plans;

  {  // 湖北 武汉: a limited company with the full cast of holders and five seals.
    EnterprisePlan e;
    e.province = "42";
    e.region = "420100";
    e.seed = 731025;
    e.face = face("武汉长江云数科技有限公司（沙箱）", "有限责任公司（自然人投资或控股）",
                  EnterpriseKind::LimitedCompany, "张志伟", "1000万元人民币", "2016-03-18", "",
                  "湖北省武汉市东湖新技术开发区光谷大道77号金融港B18栋5层（沙箱演示地址）",
                  "许可项目：第一类增值电信业务。一般项目：软件开发；信息系统集成服务；数据处理和存储支持服务；"
                  "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广。（除依法须经批准的项目外，"
                  "凭营业执照依法自主开展经营活动）",
                  "武汉东湖新技术开发区市场监督管理局", "2024-06-12");
    e.seal_types = kFiveSeals;
    e.holders = {
        legal_rep("张志伟", "法定代表人，全业务授权，可用全部印章"),
        holder("李娜", HolderRole::Administrator, {}, {"company", "contract"},
               "证照管理员，全业务授权，可用法定名称章、合同专用章"),
        holder("王强", HolderRole::Agent, {kInvoice, kSocialInsurance}, {"invoice"},
               "办事人，精准授权（发票申领、参保登记），可用发票专用章"),
    };
    plans.push_back(std::move(e));
  }
  {  // 河南 郑州: a joint-stock company; its agent's authorisation has expired.
    EnterprisePlan e;
    e.province = "41";
    e.region = "410100";
    e.seed = 582214;
    e.face = face("中原智联装备股份有限公司（沙箱）", "股份有限公司（非上市、自然人投资或控股）",
                  EnterpriseKind::JointStockCompany, "刘洋", "5000万元人民币", "2012-09-06", "",
                  "河南省郑州市郑东新区商务外环路20号海联大厦15层（沙箱演示地址）",
                  "一般项目：智能控制系统集成；工业自动化控制系统装置制造；通用设备制造（不含特种设备制造）；"
                  "机械设备销售；货物进出口；技术进出口。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
                  "郑州市市场监督管理局", "2023-11-20");
    e.seal_types = kFiveSeals;
    HolderPlan expired = holder("杨帆", HolderRole::Agent, {kRealEstateTransfer}, {"contract"},
                                "办事人，精准授权（不动产转移登记）已过期：应被拒绝");
    expired.window = AuthorisationWindow::Expired;
    e.holders = {
        legal_rep("刘洋", "法定代表人，全业务授权，可用全部印章"),
        holder("陈静", HolderRole::Administrator, {}, {"company", "finance", "contract"},
               "证照管理员，全业务授权，可用法定名称章、财务专用章、合同专用章"),
        expired,
    };
    plans.push_back(std::move(e));
  }
  {  // 广东 深圳: an individual business (经营者, 经营场所; USCC entity type 2).
    EnterprisePlan e;
    e.province = "44";
    e.region = "440300";
    e.entity_type = '2';
    e.seed = 264907;
    e.face = face("深圳市南山区鹏程便利店（沙箱）", "个体工商户", EnterpriseKind::IndividualBusiness, "黄丽",
                  "", "2019-05-08", "", "广东省深圳市南山区粤海街道科技园社区科苑路15号101（沙箱演示地址）",
                  "日用百货、预包装食品、饮料的零售；烟草制品零售（凭许可证经营）。",
                  "深圳市市场监督管理局南山监管局", "2022-04-15");
    e.seal_types = kFourSeals;
    e.holders = {
        legal_rep("黄丽", "经营者，全业务授权，可用全部印章"),
        holder("周杰", HolderRole::Agent, {kInvoice}, {"invoice"},
               "办事人，精准授权（发票申领），可用发票专用章"),
    };
    plans.push_back(std::move(e));
  }
  {  // 山东 青岛: a limited partnership (执行事务合伙人, 主要经营场所).
    EnterprisePlan e;
    e.province = "37";
    e.region = "370200";
    e.seed = 415638;
    e.face = face("青岛海韵投资管理合伙企业（有限合伙）（沙箱）", "有限合伙企业", EnterpriseKind::Partnership,
                  "吴刚", "2000万元人民币", "2018-07-26", "2038-07-25",
                  "山东省青岛市崂山区香港东路195号9号楼1201（沙箱演示地址）",
                  "一般项目：以自有资金从事投资活动；企业管理咨询；社会经济咨询服务。"
                  "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
                  "青岛市崂山区市场监督管理局", "2021-08-30");
    e.seal_types = kFourSeals;
    e.holders = {
        legal_rep("吴刚", "执行事务合伙人，全业务授权，可用全部印章"),
        holder("赵敏", HolderRole::Administrator, {}, {"company", "finance"},
               "证照管理员，全业务授权，可用法定名称章、财务专用章"),
        holder("孙磊", HolderRole::Agent, {kBankAccount, kInvoice}, {"finance", "invoice"},
               "办事人，精准授权（对公开户、发票申领），可用财务专用章、发票专用章"),
    };
    plans.push_back(std::move(e));
  }
  {  // 广东 广州: a branch (负责人, 营业场所); one agent's certificate is revoked.
    EnterprisePlan e;
    e.province = "44";
    e.region = "440100";
    e.seed = 908341;
    e.face = face("武汉长江云数科技有限公司广州分公司（沙箱）", "有限责任公司分公司（自然人投资或控股）",
                  EnterpriseKind::Branch, "郑浩", "", "2020-10-15", "",
                  "广东省广州市天河区珠江新城华夏路10号富力中心2101房（沙箱演示地址）",
                  "软件开发；信息系统集成服务；技术服务、技术开发、技术咨询（在隶属企业经营范围内从事经营活动）",
                  "广州市天河区市场监督管理局", "2023-03-02");
    e.seal_types = kFourSeals;
    HolderPlan revoked = holder("林晓", HolderRole::Agent, {}, {"company", "invoice"},
                                "办事人，全业务授权，但其执照证书已吊销（手机遗失，CRL）：应被拒绝");
    revoked.revoke_reason = kKeyCompromise;
    e.holders = {
        legal_rep("郑浩", "负责人，全业务授权，可用全部印章"),
        revoked,
        holder("何军", HolderRole::Agent, {kSocialInsurance}, {},
               "办事人，精准授权（参保登记），无印章使用授权"),
    };
    plans.push_back(std::move(e));
  }
  {  // 湖北 宜昌: a limited company whose license has been 吊销 (status revoked).
    EnterprisePlan e;
    e.province = "42";
    e.region = "420500";
    e.seed = 137760;
    e.face = face("宜昌三峡文旅发展有限公司（沙箱）", "有限责任公司（自然人独资）", EnterpriseKind::LimitedCompany,
                  "马晓东", "300万元人民币", "2015-01-09", "2035-01-08",
                  "湖北省宜昌市西陵区东山大道95号（沙箱演示地址）",
                  "许可项目：旅游业务。一般项目：会议及展览服务；文艺创作；组织文化艺术交流活动。"
                  "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
                  "宜昌市西陵区市场监督管理局", "2025-02-18", LicenseStatus::Revoked);
    e.seal_types = kFiveSeals;
    e.holders = {
        legal_rep("马晓东", "法定代表人；营业执照已吊销：应被拒绝"),
        holder("高峰", HolderRole::Agent, {kInvoice}, {"invoice"},
               "办事人，精准授权（发票申领）；营业执照已吊销：应被拒绝"),
    };
    plans.push_back(std::move(e));
  }
  return plans;
}

}  // namespace zhaoyin::sandbox
