// The access form's JSON shape, its labels and the status/action names.
#include <zhaoyin/access/access_application.h>
#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/scenarios.h>

#include <cctype>
#include <utility>

namespace zhaoyin::access {

namespace {

struct Enumeration {
  const char* field;
  std::vector<std::pair<std::string, std::string>> values;  // key, label, in the form's order
};

const std::vector<Enumeration>& enumerations() {
  static const std::vector<Enumeration> all = {
      {"org_nature",
       {{"government", "政府机关"}, {"institution", "事业单位"}, {"social_group", "社会团体"},
        {"enterprise", "企业"}, {"other", "其他"}}},
      {"field", {{"e_government", "电子政务"}, {"e_commerce", "电子商务"}}},
      {"needs", {{"presentation", "出示验证"}, {"login", "用户登录"}, {"signature", "电子签名"}, {"data_interface", "数据接口"}, {"other", "其他"}}},
      {"scope", {{"province", "本省"}, {"national", "全国"}}},
      // 附件2's 应用功能, the same keys as the needs they must lie within.
      {"functions",
       {{"login", "线上扫码登录"}, {"presentation", "线下出示执照"}, {"signature", "电子签名"}, {"other", "其他"}}},
      {"channels",
       {{"pc", "PC端应用"}, {"app", "业务APP"}, {"wechat_mini", "微信小程序"}, {"alipay_mini", "支付宝小程序"},
        {"wechat_official", "微信公众号"}, {"alipay_life", "支付宝生活号"}}},
      {"province",
       {{"11", "北京市"}, {"12", "天津市"}, {"13", "河北省"}, {"14", "山西省"}, {"15", "内蒙古自治区"},
        {"21", "辽宁省"}, {"22", "吉林省"}, {"23", "黑龙江省"}, {"31", "上海市"}, {"32", "江苏省"},
        {"33", "浙江省"}, {"34", "安徽省"}, {"35", "福建省"}, {"36", "江西省"}, {"37", "山东省"},
        {"41", "河南省"}, {"42", "湖北省"}, {"43", "湖南省"}, {"44", "广东省"}, {"45", "广西壮族自治区"},
        {"46", "海南省"}, {"50", "重庆市"}, {"51", "四川省"}, {"52", "贵州省"}, {"53", "云南省"},
        {"54", "西藏自治区"}, {"61", "陕西省"}, {"62", "甘肃省"}, {"63", "青海省"}, {"64", "宁夏回族自治区"},
        {"65", "新疆维吾尔自治区"}, {"71", "台湾省"}, {"81", "香港特别行政区"}, {"82", "澳门特别行政区"}}},
  };
  return all;
}

const std::vector<std::pair<Status, std::pair<const char*, const char*>>>& status_names() {
  static const std::vector<std::pair<Status, std::pair<const char*, const char*>>> all = {
      {Status::Draft, {"draft", "草稿"}},         {Status::Submitted, {"submitted", "已提交"}},
      {Status::Accepted, {"accepted", "已受理"}}, {Status::Returned, {"returned", "退回修改"}},
      {Status::Rejected, {"rejected", "未通过"}}, {Status::Active, {"active", "已生效"}},
      {Status::Suspended, {"suspended", "已暂停"}}, {Status::Revoked, {"revoked", "已撤销"}},
  };
  return all;
}

const std::vector<std::pair<Action, const char*>>& action_names() {
  static const std::vector<std::pair<Action, const char*>> all = {
      {Action::Submit, "submit"},   {Action::Accept, "accept"},   {Action::Return, "return"},
      {Action::Approve, "approve"}, {Action::Reject, "reject"},   {Action::Suspend, "suspend"},
      {Action::Resume, "resume"},   {Action::Revoke, "revoke"},   {Action::RotateSecret, "rotate_secret"},
      {Action::Pass, "pass"},
  };
  return all;
}

// Reading one member: a wrong type becomes a field error, a missing member keeps the default.
class Reader {
 public:
  explicit Reader(const nlohmann::json& j) : j_(j) {}

  void text(const char* key, std::string& out) {
    const auto* v = member(key);
    if (!v || v->is_null()) return;
    if (v->is_string()) out = v->get<std::string>();
    else errors_.push_back({key, "应为文本"});
  }

  void list(const char* key, std::vector<std::string>& out) {
    const auto* v = member(key);
    if (!v || v->is_null()) return;
    if (v->is_string()) {  // a single choice sent as a string
      out = {v->get<std::string>()};
      return;
    }
    if (!v->is_array()) {
      errors_.push_back({key, "应为列表"});
      return;
    }
    out.clear();
    for (const auto& item : *v) {
      if (!item.is_string()) {
        errors_.push_back({key, "列表中应为文本"});
        return;
      }
      out.push_back(item.get<std::string>());
    }
  }

  template <typename Int>
  void integer(const char* key, Int& out) {
    const auto* v = member(key);
    if (!v || v->is_null()) return;
    if (v->is_number_integer()) {
      out = v->get<Int>();
      return;
    }
    if (v->is_string()) {  // "443" from a form post
      const auto s = v->get<std::string>();
      if (!s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos) {
        out = static_cast<Int>(std::stoll(s));
        return;
      }
    }
    errors_.push_back({key, "应为整数"});
  }

  // A tick box: true/false, or from a form post "1"/"on"/"true" and "0"/"false"/"".
  void boolean(const char* key, bool& out) {
    const auto* v = member(key);
    if (!v || v->is_null()) return;
    if (v->is_boolean()) {
      out = v->get<bool>();
      return;
    }
    if (v->is_string()) {
      const auto s = v->get<std::string>();
      if (s == "1" || s == "on" || s == "true") return void(out = true);
      if (s.empty() || s == "0" || s == "false") return void(out = false);
    }
    errors_.push_back({key, "应为是或否"});
  }

  // 办事系统: [{"name","host","port"}].
  void systems(const char* key, std::vector<BusinessSystem>& out) {
    const auto* v = member(key);
    if (!v || v->is_null()) return;
    if (!v->is_array()) return errors_.push_back({key, "应为列表"});
    out.clear();
    for (const auto& item : *v) {
      if (!item.is_object()) return errors_.push_back({key, "列表中应为对象（name、host、port）"});
      BusinessSystem system;
      Reader inner(item);
      inner.text("name", system.name);
      inner.text("host", system.host);
      inner.integer("port", system.port);
      if (!inner.errors().empty()) return errors_.push_back({key, "办事系统的名称、域名(IP)应为文本，端口应为整数"});
      out.push_back(std::move(system));
    }
  }

  std::vector<FieldError> errors() const { return errors_; }

 private:
  const nlohmann::json* member(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const nlohmann::json& j_;
  std::vector<FieldError> errors_;
};

}  // namespace

nlohmann::json to_json(const AccessForm& f) {
  auto systems_json = nlohmann::json::array();
  for (const auto& system : f.systems)
    systems_json.push_back({{"name", system.name}, {"host", system.host}, {"port", system.port}});
  return {{"org_name", f.org_name},
          {"org_nature", f.org_nature},
          {"uscc", f.uscc},
          {"address", f.address},
          {"contact_name", f.contact_name},
          {"contact_position", f.contact_position},
          {"contact_phone", f.contact_phone},
          {"contact_email", f.contact_email},
          {"system_name", f.system_name},
          {"system_host", f.system_host},
          {"system_port", f.system_port},
          {"systems", systems_json},
          {"provider_name", f.provider_name},
          {"provider_contact", f.provider_contact},
          {"provider_phone", f.provider_phone},
          {"field", f.field},
          {"industry", f.industry},
          {"business_summary", f.business_summary},
          {"needs", f.needs},
          {"needs_other", f.needs_other},
          {"data_purpose", f.data_purpose},
          {"scope", f.scope},
          {"province", f.province},
          {"channels", f.channels},
          {"annual_volume_wan", f.annual_volume_wan},
          {"peak_rate", f.peak_rate},
          {"matters", f.matters},
          {"department", f.department},
          {"redirect_uris", f.redirect_uris},
          {"scenarios", scenarios_to_json(f.scenarios)},
          {"acknowledged", f.acknowledged}};
}

AccessForm form_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw AccessError(422, "invalid_form", "the form must be a JSON object");
  AccessForm f;
  Reader r(j);
  r.text("org_name", f.org_name);
  r.text("org_nature", f.org_nature);
  r.text("uscc", f.uscc);
  r.text("address", f.address);
  r.text("contact_name", f.contact_name);
  r.text("contact_position", f.contact_position);
  r.text("contact_phone", f.contact_phone);
  r.text("contact_email", f.contact_email);
  r.text("system_name", f.system_name);
  r.text("system_host", f.system_host);
  r.integer("system_port", f.system_port);
  r.systems("systems", f.systems);
  r.text("provider_name", f.provider_name);
  r.text("provider_contact", f.provider_contact);
  r.text("provider_phone", f.provider_phone);
  r.text("field", f.field);
  r.text("industry", f.industry);
  r.text("business_summary", f.business_summary);
  r.list("needs", f.needs);
  r.text("needs_other", f.needs_other);
  r.text("data_purpose", f.data_purpose);
  r.text("scope", f.scope);
  r.text("province", f.province);
  r.list("channels", f.channels);
  r.integer("annual_volume_wan", f.annual_volume_wan);
  r.integer("peak_rate", f.peak_rate);
  r.list("matters", f.matters);
  r.text("department", f.department);
  r.list("redirect_uris", f.redirect_uris);
  r.boolean("acknowledged", f.acknowledged);
  auto errors = r.errors();
  if (const auto it = j.find("scenarios"); it != j.end() && !it->is_null())
    f.scenarios = scenarios_from_json(*it, errors);
  if (!errors.empty()) throw AccessError(422, "invalid_form", "the form has members of the wrong type", errors);
  return f;
}

const std::map<std::string, std::string>& labels() {
  static const std::map<std::string, std::string> all = [] {
    std::map<std::string, std::string> m = {
        {"org_name", "机构名称"},
        {"org_nature", "机构性质"},
        {"uscc", "统一社会信用代码"},
        {"address", "通信地址"},
        {"contact_name", "联系人姓名"},
        {"contact_position", "部门及职务"},
        {"contact_phone", "联系电话"},
        {"contact_email", "电子邮件"},
        {"system_name", "应用系统名称"},
        {"system_host", "域名(IP)"},
        {"system_port", "端口"},
        {"systems", "其他办事系统"},
        {"provider_name", "技术服务单位"},
        {"provider_contact", "技术服务单位联系人"},
        {"provider_phone", "技术服务单位联系电话"},
        {"acknowledged", "阅知承诺"},
        {"field", "所属领域"},
        {"industry", "行业"},
        {"business_summary", "业务种类简介"},
        {"needs", "应用需求"},
        {"needs_other", "其他需求说明"},
        {"data_purpose", "数据接口用途"},
        {"scope", "验证范围"},
        {"province", "省份"},
        {"channels", "应用方式"},
        {"annual_volume_wan", "年验证量(万次/年)"},
        {"peak_rate", "验证峰值(次/秒)"},
        {"matters", "授权事项"},
        {"department", "部门插件"},
        {"redirect_uris", "回调地址(OpenID Connect)"},
        {"scenarios", "应用场景清单"},
        {"functions", "应用功能"},
    };
    // Bare enumeration keys where they do not clash with a field name
    // ("province" stays the field), and every "<field>.<value>" key.
    for (const auto& e : enumerations()) {
      for (const auto& [key, label] : e.values) {
        m.emplace(std::string(e.field) + "." + key, label);
        if (std::string(e.field) != "province") m.emplace(key, label);
      }
    }
    return m;
  }();
  return all;
}

std::vector<redirect::Endpoint> declared_endpoints(const AccessForm& form) {
  std::vector<redirect::Endpoint> out;
  if (!form.system_host.empty()) out.push_back(redirect::declared_endpoint(form.system_host, form.system_port));
  for (const auto& system : form.systems)
    if (!system.host.empty()) out.push_back(redirect::declared_endpoint(system.host, system.port));
  return out;
}

std::string acknowledgement_statement() { return std::string("已阅知并承诺遵守") + kAcknowledgedDocuments; }

std::optional<Acknowledgement> acknowledgement_of(const AccessApplication& a) {
  for (auto it = a.trail.rbegin(); it != a.trail.rend(); ++it) {
    if (it->action != Action::Submit || it->amendment != 0) continue;
    // Only the latest submission counts: an older one's acknowledgement does
    // not cover what was edited since.
    if (it->opinion.rfind("已阅知并承诺遵守", 0) != 0) return std::nullopt;
    return Acknowledgement{it->actor, it->at, it->opinion};
  }
  return std::nullopt;
}

std::string value_label(const std::string& field, const std::string& value) {
  const auto& all = labels();
  auto it = all.find(field + "." + value);
  return it == all.end() ? value : it->second;
}

const std::vector<std::string>& enumeration(const std::string& field) {
  static const std::map<std::string, std::vector<std::string>> keys = [] {
    std::map<std::string, std::vector<std::string>> m;
    for (const auto& e : enumerations())
      for (const auto& kv : e.values) m[e.field].push_back(kv.first);
    return m;
  }();
  static const std::vector<std::string> none;
  auto it = keys.find(field);
  return it == keys.end() ? none : it->second;
}

std::string province_name(const std::string& code) {
  const auto label = value_label("province", code);
  return label == code ? std::string() : label;
}

std::string action_label(Action a) {
  switch (a) {
    case Action::Submit: return "提交";
    case Action::Accept: return "受理";
    case Action::Return: return "退回修改";
    case Action::Approve: return "批准";
    case Action::Reject: return "不予批准";
    case Action::Suspend: return "暂停";
    case Action::Resume: return "恢复";
    case Action::Revoke: return "撤销";
    case Action::Pass: return "通过";
    case Action::RotateSecret: break;
  }
  return "重置密钥";
}

std::string role_label(const std::string& role) {
  if (role == "applicant") return "申请人";
  if (role == "reviewer") return "审核员";
  if (role == "operator") return "运营管理员";
  if (role == "provider") return "技术服务方";
  return role;
}

std::string to_string(Status s) {
  for (const auto& [status, names] : status_names())
    if (status == s) return names.first;
  return "draft";
}

std::optional<Status> status_from(const std::string& s) {
  for (const auto& [status, names] : status_names())
    if (s == names.first) return status;
  return std::nullopt;
}

std::string status_label(Status s) {
  for (const auto& [status, names] : status_names())
    if (status == s) return names.second;
  return "草稿";
}

std::string to_string(Action a) {
  for (const auto& [action, name] : action_names())
    if (action == a) return name;
  return "submit";
}

std::optional<Action> action_from(const std::string& s) {
  for (const auto& [action, name] : action_names())
    if (s == name) return action;
  return std::nullopt;
}

}  // namespace zhaoyin::access
