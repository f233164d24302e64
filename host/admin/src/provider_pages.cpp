// The technical service provider's sign-off (技术服务方确认) through its
// one-time link: GET /admin/provider/{token} shows the form under review and
// a confirm / return form; POST decides the stage under the signer's name.
//
// Not a staff page: the provider has no account. The token in the path is
// the credential (256 random bits, stored as its SM3, one use, 7 days, this
// round and stage only; access_service.h), so there is no session and no
// CSRF token — a forged POST would need the token itself. The link is a
// secret: the page is sent no-store and never links elsewhere with it.
#include <zhaoyin/access/form_labels.h>

#include "application_form.h"
#include "application_handlers.h"
#include "provider_pages.h"

namespace zhaoyin::admin {

namespace {

using access::AccessError;
using nlohmann::json;

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

void send_provider_page(http::Exchange& ex, const ApplicationPagesContext& pages, const std::string& token, int status,
                        const std::string& error_code = "", const std::string& error_message = "",
                        const std::string& signer = "", const std::string& opinion = "") {
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Referrer-Policy", "no-referrer");
  try {
    const auto view = pages.service->provider_review(token);
    json data = {{"org_name", view.form.org_name},
                 {"uscc", view.form.uscc},
                 {"system_name", view.form.system_name},
                 {"provider_name", view.form.provider_name},
                 {"stage_label", view.stage.label},
                 {"subject", view.amendment == 0 ? std::string("接入申请") : "变更申请 #" + std::to_string(view.amendment)},
                 {"application_id", view.application.id},
                 {"signer", signer.empty() ? view.form.provider_contact : signer},
                 {"opinion", opinion},
                 {"post_to", "/admin/provider/" + token},
                 {"sections", form_readonly_view(view.form)}};
    if (!error_code.empty()) data["refusal"] = {{"code", error_code}, {"message", error_message}};
    send_page(ex, *pages.host, std::nullopt, "技术服务方确认", "applications/provider", std::move(data), status);
  } catch (const AccessError& e) {
    send_access_error(ex, *pages.host, e);
  }
}

// GET /admin/provider/{token}
class ProviderReviewPage : public http::Handler {
 public:
  explicit ProviderReviewPage(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override { send_provider_page(ex, *pages_, ex.param("token"), 200); }

 private:
  PagesPtr pages_;
};

// POST /admin/provider/{token}: decision=pass|return, signer, opinion.
class ProviderSignOff : public http::Handler {
 public:
  explicit ProviderSignOff(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto fields = read_form_fields(ex);
    const auto& token = ex.param("token");
    const auto decision_name = trimmed(field_value(fields, "decision").value_or(""));
    const auto signer = trimmed(field_value(fields, "signer").value_or(""));
    const auto opinion = trimmed(field_value(fields, "opinion").value_or(""));
    const auto decision = access::action_from(decision_name);
    if (!decision || (*decision != access::Action::Pass && *decision != access::Action::Return))
      return send_provider_page(ex, *pages_, token, 400, "invalid_action", "未知的操作 (unknown decision)", signer, opinion);
    try {
      const auto updated = pages_->service->provider_sign_off(token, signer, *decision, opinion);
      audit(*pages_->host, "provider:" + signer, "application.provider_" + decision_name, updated.id,
            {{"opinion", opinion}});
      ex.response().set("Cache-Control", "no-store");
      send_page(ex, *pages_->host, std::nullopt, "技术服务方确认", "applications/provider_done",
                {{"signer", signer},
                 {"returned", *decision == access::Action::Return},
                 {"org_name", updated.form.org_name},
                 {"system_name", updated.form.system_name}});
    } catch (const AccessError& e) {
      if (e.status() == 404 || e.status() == 410) return send_access_error(ex, *pages_->host, e);
      send_provider_page(ex, *pages_, token, e.status(), e.code(), e.what(), signer, opinion);
    }
  }

 private:
  PagesPtr pages_;
};

}  // namespace

void register_provider_pages(http::Router& router, const PagesPtr& pages) {
  router.add<ProviderReviewPage>("GET", "/admin/provider/{token}", pages);
  router.add<ProviderSignOff>("POST", "/admin/provider/{token}", pages);
}

}  // namespace zhaoyin::admin
