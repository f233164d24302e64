// The applicant's pages: my applications, the 电子营业执照应用接入信息表 form
// (new and edit; save as draft or submit), and the printable PDF.
//
// A submitted form with mistakes comes back as the form itself (422) with the
// values as entered and each problem next to its field; it is saved as a
// draft first, so nothing typed is lost and the form then edits that draft.
#include <algorithm>
#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/matters.h>
#include <zhaoyin/http/api_error.h>

#include "application_form.h"
#include "application_handlers.h"
#include "catalogue_pages.h"

namespace zhaoyin::admin {

namespace {

using access::AccessApplication;
using access::AccessError;
using access::FieldError;
using access::Status;
using nlohmann::json;

std::string path_of(const AccessApplication& a) { return "/admin/applications/" + a.id; }

// Sends the form page: new (no application yet), an existing draft, or
// (`amendment`) the open amendment of an active application.
void send_form(http::Exchange& ex, const ApplicationPagesContext& pages, const StaffSession& staff,
               const AccessApplication* existing, const access::AccessForm& form,
               const std::map<std::string, std::string>& typed, const std::vector<FieldError>& errors,
               int status, const std::string& notice = "", bool amendment = false) {
  json data = {{"form", form_view(form, typed, errors, catalogue_offer(pages).entries)},
               {"post_to", existing ? path_of(*existing) + (amendment ? "/amendment" : "") : std::string("/admin/applications")},
               {"is_new", existing == nullptr},
               {"amendment", amendment},
               {"notice", notice}};
  if (existing) {
    data["application"] = summary_view(*existing);
    // A returned application (or amendment) shows why it came back.
    const auto* open = access::open_amendment(*existing);
    const int subject = amendment && open ? open->number : 0;
    json opinions = json::array();
    for (const auto& t : existing->trail)
      if (!t.opinion.empty() && t.action != access::Action::Submit && t.amendment == subject)  // a submission's opinion is its 承诺
        opinions.push_back({{"action_label", t.stage_label.empty() ? access::action_label(t.action)
                                                                   : t.stage_label + " " + access::action_label(t.action)},
                            {"opinion", t.opinion}, {"actor", t.actor}, {"at", beijing_time(t.at)}});
    data["opinions"] = opinions;
  }
  const std::string title = amendment ? "变更申请" : existing ? "编辑接入申请" : "新建接入申请";
  send_page(ex, *pages.host, staff, title, "applications/form", std::move(data), status);
}

std::vector<FieldError> merged(std::vector<FieldError> first, const std::vector<FieldError>& then) {
  first.insert(first.end(), then.begin(), then.end());
  return first;
}

// After the draft is saved: submit it if asked (re-rendering the form with
// every problem, 422), else back to the form with a notice.
void finish_post(http::Exchange& ex, const ApplicationPagesContext& pages, const StaffSession& staff,
                 const AccessApplication& draft, const PostedForm& posted, bool submit) {
  const auto offer = catalogue_offer(pages);
  const auto& known = offer.known.active;
  if (!submit) {
    if (!posted.errors.empty())
      return send_form(ex, pages, staff, &draft, posted.form, posted.typed, posted.errors, 422, "草稿已保存，但有字段无法识别");
    return redirect(ex, path_of(draft) + "/edit?saved=1");
  }
  if (!posted.errors.empty()) {
    // A number that could not be read was saved as empty; report both.
    return send_form(ex, pages, staff, &draft, posted.form, posted.typed,
                     merged(posted.errors, access::validate(posted.form, known, offer.known.retired)), 422);
  }
  try {
    const auto submitted = pages.service->submit(actor_of(staff), draft.id, known, offer.known.retired);
    audit(*pages.host, staff.username, "application.submit", submitted.id);
    redirect(ex, path_of(submitted));
  } catch (const AccessError& e) {
    if (e.code() != "invalid_form") throw;
    send_form(ex, pages, staff, &draft, posted.form, posted.typed, e.fields(), 422);
  }
}

bool wants_submit(const http::FormFields& fields) { return field_value(fields, "intent").value_or("") == "submit"; }

// GET /admin/applications
class ListApplications : public http::Handler {
 public:
  explicit ListApplications(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    if (staff.role != Role::Applicant) return send_queue(ex, *pages_, staff);
    try {
      auto mine = pages_->service->list_for(actor_of(staff));
      std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return a.updated_at > b.updated_at; });
      json rows = json::array();
      for (const auto& a : mine) rows.push_back(summary_view(a));
      send_page(ex, *pages_->host, staff, "我的接入申请", "applications/mine", {{"applications", rows}, {"any", !rows.empty()}});
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// GET /admin/applications/new
class NewApplicationForm : public http::Handler {
 public:
  explicit NewApplicationForm(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant});
    send_form(ex, *pages_, staff, nullptr, access::AccessForm{}, {}, {}, 200);
  }

 private:
  PagesPtr pages_;
};

// POST /admin/applications: a new draft, submitted when intent=submit.
class CreateApplication : public http::Handler {
 public:
  explicit CreateApplication(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant});
    const auto fields = read_form_fields(ex);
    require_csrf(staff, fields);
    const auto posted = form_from_fields(fields);
    try {
      const auto draft = pages_->service->create_draft(actor_of(staff), posted.form);
      audit(*pages_->host, staff.username, "application.create", draft.id);
      finish_post(ex, *pages_, staff, draft, posted, wants_submit(fields));
    } catch (const AccessError& e) {
      if (!e.fields().empty()) return send_form(ex, *pages_, staff, nullptr, posted.form, posted.typed, e.fields(), e.status());
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// GET /admin/applications/{id}/edit (drafts and returned applications only;
// anything else goes to its detail page).
class EditApplicationForm : public http::Handler {
 public:
  explicit EditApplicationForm(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant});
    try {
      const auto a = visible_application(*pages_->service, staff, ex.param("id"));
      if (a.status != Status::Draft && a.status != Status::Returned) return redirect(ex, path_of(a));
      const bool saved = ex.query("saved").value_or("") == "1";
      send_form(ex, *pages_, staff, &a, a.form, {}, {}, 200, saved ? "草稿已保存" : "");
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/applications/{id}: save the draft, submitted when intent=submit.
class UpdateApplication : public http::Handler {
 public:
  explicit UpdateApplication(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant});
    const auto fields = read_form_fields(ex);
    require_csrf(staff, fields);
    const auto posted = form_from_fields(fields);
    try {
      const auto existing = visible_application(*pages_->service, staff, ex.param("id"));
      try {
        const auto draft = pages_->service->save_draft(actor_of(staff), existing.id, posted.form);
        audit(*pages_->host, staff.username, "application.save", draft.id);
        finish_post(ex, *pages_, staff, draft, posted, wants_submit(fields));
      } catch (const AccessError& e) {
        if (e.fields().empty()) throw;
        send_form(ex, *pages_, staff, &existing, posted.form, posted.typed, e.fields(), e.status());
      }
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// The amendment form's form: the open amendment's, else the version in force.
const access::AccessForm& amendment_form(const AccessApplication& a) {
  const auto* open = access::open_amendment(a);
  return open ? open->form : a.form;
}

// GET /admin/applications/{id}/amendment (the owner of an active application).
class AmendmentForm : public http::Handler {
 public:
  explicit AmendmentForm(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant});
    try {
      const auto a = visible_application(*pages_->service, staff, ex.param("id"));
      const auto* open = access::open_amendment(a);
      if (a.status != Status::Active || (open && open->state == access::AmendmentState::Submitted))
        return redirect(ex, path_of(a));
      const bool saved = ex.query("saved").value_or("") == "1";
      send_form(ex, *pages_, staff, &a, amendment_form(a), {}, {}, 200, saved ? "变更草稿已保存" : "", true);
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/applications/{id}/amendment: save the amendment, submitted when intent=submit.
class SaveAmendment : public http::Handler {
 public:
  explicit SaveAmendment(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant});
    const auto fields = read_form_fields(ex);
    require_csrf(staff, fields);
    const auto posted = form_from_fields(fields);
    try {
      const auto existing = visible_application(*pages_->service, staff, ex.param("id"));
      const auto saved = pages_->service->save_amendment(actor_of(staff), existing.id, posted.form);
      const auto* open = access::open_amendment(saved);
      audit(*pages_->host, staff.username, "application.amendment_save", saved.id,
            {{"amendment", open ? open->number : 0}});
      const auto offer = catalogue_offer(*pages_);
      if (!wants_submit(fields)) {
        if (!posted.errors.empty())
          return send_form(ex, *pages_, staff, &saved, posted.form, posted.typed, posted.errors, 422,
                           "变更草稿已保存，但有字段无法识别", true);
        return redirect(ex, path_of(saved) + "/amendment?saved=1");
      }
      if (!posted.errors.empty())
        return send_form(ex, *pages_, staff, &saved, posted.form, posted.typed,
                         merged(posted.errors, access::validate(posted.form, offer.known.active, offer.known.retired)),
                         422, "", true);
      try {
        const auto submitted =
            pages_->service->submit_amendment(actor_of(staff), saved.id, offer.known.active, offer.known.retired);
        audit(*pages_->host, staff.username, "application.amendment_submit", submitted.id,
              {{"amendment", open ? open->number : 0}});
        redirect(ex, path_of(submitted));
      } catch (const AccessError& e) {
        if (e.code() != "invalid_form") throw;
        send_form(ex, *pages_, staff, &saved, posted.form, posted.typed, e.fields(), 422, "", true);
      }
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

// GET /admin/applications/{id}.pdf
class ApplicationPdf : public http::Handler {
 public:
  explicit ApplicationPdf(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    try {
      const auto a = visible_application(*pages_->service, staff, ex.param("id"));
      const std::string pdf = access::render_application_pdf(a);
      ex.response().set("Content-Disposition", "inline; filename=\"" + a.id + ".pdf\"");
      ex.send_text(200, "application/pdf", pdf);
    } catch (const AccessError& e) {
      send_access_error(ex, *pages_->host, e);
    }
  }

 private:
  PagesPtr pages_;
};

}  // namespace

void register_applicant_pages(http::Router& router, const PagesPtr& pages) {
  router.add<ListApplications>("GET", "/admin/applications", pages);
  router.add<NewApplicationForm>("GET", "/admin/applications/new", pages);
  router.add<CreateApplication>("POST", "/admin/applications", pages);
  router.add<EditApplicationForm>("GET", "/admin/applications/{id}/edit", pages);
  router.add<UpdateApplication>("POST", "/admin/applications/{id}", pages);
  router.add<ApplicationPdf>("GET", "/admin/applications/{id}.pdf", pages);
  router.add<AmendmentForm>("GET", "/admin/applications/{id}/amendment", pages);
  router.add<SaveAmendment>("POST", "/admin/applications/{id}/amendment", pages);
}

}  // namespace zhaoyin::admin
