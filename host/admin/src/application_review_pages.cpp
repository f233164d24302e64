// The review side: the queue, an application's detail page (also its
// owner's status page), the review and operator steps, and the credentials
// page that shows a new client secret exactly once.
//
// A refused step (AccessError: 403, 409, 422) re-renders the detail page with
// the refusal and the opinion as typed, under the refusal's status.
#include <algorithm>
#include <zhaoyin/http/api_error.h>

#include "application_form.h"
#include "application_handlers.h"

namespace zhaoyin::admin {

namespace {

using access::AccessApplication;
using access::AccessError;
using access::Action;
using access::Status;
using nlohmann::json;

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Waiting for a reviewer first (submitted, then accepted or an amendment in
// review), then the rest, each group most recently updated first.
int queue_rank(const AccessApplication& a) {
  if (a.status == Status::Submitted) return 0;
  if (access::pending_review(a)) return 1;
  return 2;
}

// The secret exists only in this response: no cache may keep it, and the
// detail page never shows it again.
void send_credentials(http::Exchange& ex, const ApplicationPagesContext& pages, const StaffSession& staff,
                      const AccessApplication& a, const access::Credentials& issued, bool rotated) {
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Pragma", "no-cache");
  send_page(ex, *pages.host, staff, "客户端凭据 · Client credentials", "applications/credentials",
            {{"application", summary_view(a)},
             {"client_id", issued.client_id},
             {"client_secret", issued.client_secret},
             {"rotated", rotated},
             {"token_url", pages.host->settings.public_url + "/oauth/token"}});
}

// GET /admin/review?status=submitted
class ReviewQueue : public http::Handler {
 public:
  explicit ReviewQueue(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Reviewer, Role::Operator});
    send_queue(ex, *pages_, staff);
  }

 private:
  PagesPtr pages_;
};

// GET /admin/applications/{id}
class ApplicationDetail : public http::Handler {
 public:
  explicit ApplicationDetail(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    try {
      send_detail(ex, *pages_->host, staff, visible_application(*pages_->service, staff, ex.param("id")));
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/applications/{id}/actions: action=accept|pass|return|approve|
// reject|suspend|resume|revoke, opinion, stage (the stage the page showed:
// a stale page gets 409 wrong_stage), csrf.
class ApplicationAction : public http::Handler {
 public:
  explicit ApplicationAction(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Reviewer, Role::Operator});
    const auto fields = read_form_fields(ex);
    require_csrf(staff, fields);
    const auto& id = ex.param("id");
    const std::string action_name = trimmed(field_value(fields, "action").value_or(""));
    const std::string opinion = trimmed(field_value(fields, "opinion").value_or(""));
    const std::string stage = trimmed(field_value(fields, "stage").value_or(""));
    AccessApplication current;
    try {
      current = visible_application(*pages_->service, staff, id);
    } catch (const AccessError& e) {
      return send_access_error(ex, *pages_->host, e);
    }
    const auto action = access::action_from(action_name);
    // Submitting is the applicant's form; rotation has its own route.
    if (!action || *action == Action::Submit || *action == Action::RotateSecret)
      return send_detail(ex, *pages_->host, staff, current, 400, "invalid_action",
                         "未知的操作 (unknown action '" + action_name + "')", opinion);
    try {
      std::optional<access::Credentials> issued;
      const auto updated = pages_->service->act(actor_of(staff), id, *action, opinion, &issued, stage);
      json detail = {{"from", access::to_string(current.status)}, {"to", access::to_string(updated.status)}};
      if (!stage.empty()) detail["stage"] = stage;
      if (!opinion.empty()) detail["opinion"] = opinion;
      if (!updated.client_id.empty()) detail["client_id"] = updated.client_id;
      audit(*pages_->host, staff.username, "application." + action_name, id, detail);
      if (issued) return send_credentials(ex, *pages_, staff, updated, *issued, false);
      redirect(ex, "/admin/applications/" + id);
    } catch (const AccessError& e) {
      auto fresh = pages_->service->find(id);
      send_detail(ex, *pages_->host, staff, fresh ? *fresh : current, e.status(), e.code(), e.what(), opinion);
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/applications/{id}/provider-link: a one-time link for the
// 技术服务方确认 stage, shown once (the owner, reviewers, operators).
class MintProviderLink : public http::Handler {
 public:
  explicit MintProviderLink(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    const auto fields = read_form_fields(ex);
    require_csrf(staff, fields);
    const auto& id = ex.param("id");
    AccessApplication current;
    try {
      current = visible_application(*pages_->service, staff, id);
    } catch (const AccessError& e) {
      return send_access_error(ex, *pages_->host, e);
    }
    try {
      const auto link = pages_->service->mint_provider_link(actor_of(staff), id);
      audit(*pages_->host, staff.username, "application.provider_link", id,
            {{"expires", beijing_time(link.expires_at)}});
      ex.response().set("Cache-Control", "no-store");
      send_page(ex, *pages_->host, staff, "技术服务方确认链接", "applications/provider_link",
                {{"application", summary_view(current)},
                 {"provider_name", current.form.provider_name},
                 {"provider_contact", current.form.provider_contact},
                 {"link", pages_->host->settings.public_url + "/admin/provider/" + link.token},
                 {"expires", beijing_time(link.expires_at)}});
    } catch (const AccessError& e) {
      send_detail(ex, *pages_->host, staff, current, e.status(), e.code(), e.what());
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/applications/{id}/rotate-secret (operators; active applications).
class RotateSecret : public http::Handler {
 public:
  explicit RotateSecret(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    const auto fields = read_form_fields(ex);
    require_csrf(staff, fields);
    const auto& id = ex.param("id");
    AccessApplication current;
    try {
      current = visible_application(*pages_->service, staff, id);
    } catch (const AccessError& e) {
      return send_access_error(ex, *pages_->host, e);
    }
    try {
      const auto issued = pages_->service->rotate_secret(actor_of(staff), id);
      audit(*pages_->host, staff.username, "application.rotate_secret", id, {{"client_id", issued.client_id}});
      const auto fresh = pages_->service->find(id);
      send_credentials(ex, *pages_, staff, fresh ? *fresh : current, issued, true);
    } catch (const AccessError& e) {
      send_detail(ex, *pages_->host, staff, current, e.status(), e.code(), e.what());
    }
  }

 private:
  PagesPtr pages_;
};

}  // namespace

void send_queue(http::Exchange& ex, const ApplicationPagesContext& pages, const StaffSession& staff) {
  const std::string wanted = ex.query("status").value_or("");
  const auto status = access::status_from(wanted);
  try {
    auto all = pages.service->list_for(actor_of(staff), status);
    std::stable_sort(all.begin(), all.end(), [](const AccessApplication& a, const AccessApplication& b) {
      if (queue_rank(a) != queue_rank(b)) return queue_rank(a) < queue_rank(b);
      return a.updated_at > b.updated_at;
    });
    json rows = json::array();
    for (const auto& a : all) rows.push_back(summary_view(a));
    json filters = json::array();
    filters.push_back({{"value", ""}, {"label", "全部"}, {"selected", !status}});
    for (auto s : {Status::Submitted, Status::Accepted, Status::Returned, Status::Active, Status::Suspended,
                   Status::Rejected, Status::Revoked, Status::Draft}) {
      filters.push_back({{"value", access::to_string(s)}, {"label", access::status_label(s)}, {"selected", status == s}});
    }
    send_page(ex, *pages.host, staff, "接入申请审核", "applications/queue",
              {{"applications", rows}, {"any", !rows.empty()}, {"filters", filters}, {"filtered", status.has_value()}});
  } catch (const AccessError& e) {
    send_access_error(ex, *pages.host, e);
  }
}

void register_review_pages(http::Router& router, const PagesPtr& pages) {
  router.add<ReviewQueue>("GET", "/admin/review", pages);
  router.add<ApplicationDetail>("GET", "/admin/applications/{id}", pages);
  router.add<ApplicationAction>("POST", "/admin/applications/{id}/actions", pages);
  router.add<RotateSecret>("POST", "/admin/applications/{id}/rotate-secret", pages);
  router.add<MintProviderLink>("POST", "/admin/applications/{id}/provider-link", pages);
}

}  // namespace zhaoyin::admin
