// The four department plugins' rules at the flow::Extensions level, with the
// real plugin files: what the host's own verification never lets through (an
// enterprise not 存续), and the seal requirements at sign_task_created (the
// sign API lands separately).
#include <catch2/catch.hpp>
#include <test_support.h>
#include <zhaoyin/plugins/loader.h>
#include <zhaoyin/plugins/manager.h>

using namespace zhaoyin;

namespace {

class Fixed final : public flow::ExtensionSource {
 public:
  explicit Fixed(std::vector<std::shared_ptr<flow::Extension>> e) : e_(std::move(e)) {}
  std::vector<std::shared_ptr<flow::Extension>> active_for(const std::string&) override { return e_; }
  std::vector<std::shared_ptr<flow::Extension>> all() override { return e_; }

 private:
  std::vector<std::shared_ptr<flow::Extension>> e_;
};

std::shared_ptr<flow::Extension> department(const std::string& id) {
  const auto outcome = plugins::load_plugin(std::string(PLUGINS_DIR) + "/" + id + ".so", {});
  INFO(outcome.failure.error);
  REQUIRE(outcome.plugin);
  outcome.plugin->configure(plugins::effective_config(outcome.plugin->config_schema(), nlohmann::json::object()).dump());
  return std::make_shared<plugins::PluginExtension>(outcome.plugin);
}

// flow::Extensions with these department plugins (not movable: held by pointer).
std::unique_ptr<flow::Extensions> with_plugins(const std::vector<std::string>& ids) {
  std::vector<std::shared_ptr<flow::Extension>> e;
  for (const auto& id : ids) e.push_back(department(id));
  auto x = std::make_unique<flow::Extensions>();
  x->add_source(std::make_shared<Fixed>(e));
  return x;
}

nlohmann::json subject(const std::string& status, const std::string& role, const std::string& scope = "full",
                       nlohmann::json matters = nlohmann::json::array()) {
  nlohmann::json holder = {{"name", "王强"}, {"role", role}, {"role_label", role == "legal_representative" ? "法定代表人" : "办事人"}};
  if (role != "legal_representative") holder["authorisation"] = {{"scope", scope}, {"matters", matters}};
  return {{"face_info",
           {{"name", "宜昌三峡文旅发展有限公司（沙箱）"},
            {"uscc", "914205002MXWXWH69U"},
            {"kind", "limited_company"},
            {"status", status},
            {"status_label", status == "active" ? "存续" : status == "revoked" ? "吊销" : "注销"}}},
          {"holder", holder}};
}

flow::FlowEvent flow_event(flow::FlowPoint point, nlohmann::json subject, nlohmann::json detail = nlohmann::json::object()) {
  flow::FlowEvent e;
  e.point = point;
  e.client_id = "app";
  e.application = {{"client_id", "app"}, {"scope", "national"}};
  e.subject = std::move(subject);
  e.detail = std::move(detail);
  return e;
}

flow::FlowEvent sign_task(const std::string& matter) {
  return flow_event(flow::FlowPoint::sign_task_created, nullptr,
                    {{"task_id", "t1"}, {"matter", matter}, {"seals", {{"mode", "any_of"}, {"types", {"company"}}}}});
}

}  // namespace

TEST_CASE("tax refuses an enterprise that is not 存续 at every flow point, with the reason") {
  const auto x = with_plugins({"tax"});
  for (const auto point : {flow::FlowPoint::login_confirmed, flow::FlowPoint::presentation_verified,
                           flow::FlowPoint::signature_made}) {
    const auto d = x->check(flow_event(point, subject("revoked", "legal_representative")));
    CHECK_FALSE(d.allowed);
    CHECK(d.code == "refused_by_plugin");
    CHECK(d.source == "plugin:tax");
    CHECK(d.reason == "纳税人宜昌三峡文旅发展有限公司（沙箱）登记状态为吊销，非存续，不能办理涉税事项");
  }
  CHECK_FALSE(x->check(flow_event(flow::FlowPoint::presentation_verified, subject("cancelled", "legal_representative"))).allowed);
  CHECK(x->check(flow_event(flow::FlowPoint::presentation_verified, subject("active", "legal_representative"))).allowed);
}

TEST_CASE("tax requires the 发票专用章 for a 发票申领 sign task, and nothing for other matters") {
  const auto x = with_plugins({"tax"});
  const auto d = x->check(sign_task("电子政务/税务/发票申领"));
  REQUIRE(d.allowed);
  CHECK(d.requirements == nlohmann::json{{"seal_types", {"invoice"}}});
  CHECK(x->check(sign_task("电子政务/税务/纳税申报")).requirements.empty());
}

TEST_CASE("each department plugin's seal requirement at sign_task_created, merged over extensions") {
  CHECK(with_plugins({"social_insurance"})->check(sign_task("电子政务/社保/参保登记")).requirements ==
        nlohmann::json{{"seal_types", {"company"}}});
  CHECK(with_plugins({"real_estate"})->check(sign_task("电子政务/不动产/转移登记")).requirements ==
        nlohmann::json{{"seal_types", {"company", "legal_rep"}}});
  CHECK(with_plugins({"banking"})->check(sign_task("电子商务/银行/对公开户")).requirements ==
        nlohmann::json{{"seal_types", {"finance", "legal_rep"}}});
  // Two plugins on one application: the union.
  CHECK(with_plugins({"real_estate", "banking"})->check(sign_task("")).requirements ==
        nlohmann::json{{"seal_types", {"company", "legal_rep", "finance"}}});
}

TEST_CASE("holder rules per department") {
  const auto agent_invoice = subject("active", "agent", "precise", {"电子政务/税务/发票申领"});
  const auto admin_full = subject("active", "administrator", "full");
  const auto agent_estate = subject("active", "agent", "precise", {"电子政务/不动产/转移登记"});
  const auto point = flow::FlowPoint::presentation_verified;

  // tax: an agent authorised for a tax matter may act; one for real estate may not.
  CHECK(with_plugins({"tax"})->check(flow_event(point, agent_invoice)).allowed);
  CHECK_THAT(with_plugins({"tax"})->check(flow_event(point, agent_estate)).reason, Catch::Contains("未获税务事项授权"));
  // real estate: a full authorisation is not enough; a precise one for 不动产 is.
  const auto re = with_plugins({"real_estate"})->check(flow_event(point, admin_full));
  CHECK_FALSE(re.allowed);
  CHECK_THAT(re.reason, Catch::Contains("全业务授权，须另行取得不动产登记精准授权"));
  CHECK(with_plugins({"real_estate"})->check(flow_event(point, agent_estate)).allowed);
  // ... and only for its own matters: a presentation for another matter is not its business.
  CHECK(with_plugins({"real_estate"})->check(flow_event(point, admin_full, {{"matter", "电子政务/税务/发票申领"}})).allowed);
  // social insurance and banking accept full authorisations, refuse precise ones for other matters.
  CHECK(with_plugins({"social_insurance"})->check(flow_event(point, admin_full)).allowed);
  CHECK_THAT(with_plugins({"social_insurance"})->check(flow_event(point, agent_invoice)).reason,
             Catch::Contains("未获社会保险业务授权"));
  CHECK(with_plugins({"banking"})->check(flow_event(point, admin_full)).allowed);
  CHECK_THAT(with_plugins({"banking"})->check(flow_event(point, agent_estate)).reason,
             Catch::Contains("对公开户须由法定代表人本人或获对公开户授权的代理人办理"));
}

TEST_CASE("banking refuses an application whose verification scope is only one province") {
  auto e = flow_event(flow::FlowPoint::presentation_verified, subject("active", "legal_representative"));
  e.application["scope"] = "province";
  const auto d = with_plugins({"banking"})->check(e);
  CHECK_FALSE(d.allowed);
  CHECK_THAT(d.reason, Catch::Contains("全国范围"));
}

TEST_CASE("the department plugins contribute their matters to the 授权事项 tree") {
  const auto matters = with_plugins({"tax", "social_insurance", "real_estate", "banking"})->matters();
  std::vector<std::string> paths;
  for (const auto& m : matters) paths.push_back(m["path"]);
  for (const char* p : {"电子政务/税务/发票申领", "电子政务/社保/参保登记", "电子政务/不动产/转移登记", "电子商务/银行/对公开户"})
    CHECK(std::find(paths.begin(), paths.end(), p) != paths.end());
  for (const auto& m : matters)
    if (m["path"] == "电子商务/银行/对公开户") CHECK_THAT(m["label"].get<std::string>(), Catch::Contains("金融"));
    else if (m["path"] == "电子政务/社保/参保登记") CHECK_THAT(m["label"].get<std::string>(), Catch::Contains("人力资源社会保障"));
}
