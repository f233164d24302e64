// The 附件2 register pages and exports (scenario_register_pages.h). Every
// view of the register — page, CSV, PDF — is the same filtered rows, so what
// a department exports is what its staff saw.
#include "scenario_register_pages.h"

#include <Poco/URI.h>

#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/scenario_register.h>
#include <zhaoyin/access/scenarios.h>
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/sandbox_demo.h>

namespace zhaoyin::admin {

namespace {

using access::RegisterFilter;
using access::RegisterRow;
using nlohmann::json;

constexpr std::size_t kMaxFilterText = 100;

std::string encoded(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "/?#&=+;", out);
  return out;
}

// The filters from the query; a field or function that is not one of the
// form's keys, or an overlong value, is refused (400) rather than matching nothing.
RegisterFilter filter_of(http::Exchange& ex) {
  RegisterFilter f;
  f.department = ex.query("department").value_or("");
  f.field = ex.query("field").value_or("");
  f.industry = ex.query("industry").value_or("");
  f.function = ex.query("function").value_or("");
  f.text = ex.query("q").value_or("");
  for (const auto* v : {&f.department, &f.industry, &f.text})
    if (v->size() > kMaxFilterText * 4) throw http::ApiError::bad_request("a filter value is too long");
  const auto& fields = access::enumeration("field");
  if (!f.field.empty() && std::find(fields.begin(), fields.end(), f.field) == fields.end())
    throw http::ApiError::bad_request("field must be e_government or e_commerce");
  const auto& functions = access::enumeration("functions");
  if (!f.function.empty() && std::find(functions.begin(), functions.end(), f.function) == functions.end())
    throw http::ApiError::bad_request("function must be login, presentation, signature or other");
  return f;
}

std::string query_of(const RegisterFilter& f) {
  std::string q;
  auto add = [&q](const char* name, const std::string& v) {
    if (!v.empty()) q += std::string(q.empty() ? "?" : "&") + name + "=" + encoded(v);
  };
  add("department", f.department);
  add("field", f.field);
  add("industry", f.industry);
  add("function", f.function);
  add("q", f.text);
  return q;
}

std::vector<access::AccessApplication> visible_active(const ApplicationPagesContext& pages, const StaffSession& staff) {
  return pages.service->list_for(actor_of(staff), access::Status::Active);
}

json options(const std::vector<std::string>& values, const std::string& selected,
             const std::string& field_for_labels = "") {
  json out = json::array();
  out.push_back({{"value", ""}, {"label", "全部"}, {"selected", selected.empty()}});
  for (const auto& v : values)
    out.push_back({{"value", v},
                   {"label", field_for_labels.empty() ? v : access::value_label(field_for_labels, v)},
                   {"selected", v == selected}});
  return out;
}

json rows_view(const std::vector<RegisterRow>& rows) {
  json out = json::array();
  std::size_t serial = 0;
  for (const auto& r : rows) {
    const auto& s = r.scenario;
    out.push_back({{"serial", ++serial},
                   {"matter", s.matter},
                   {"implementing_department", s.implementing_department},
                   {"business_system", s.business_system},
                   {"functions", access::functions_text(s)},
                   {"function_keys", s.functions},
                   {"remark", s.remark},
                   {"org_name", r.org_name},
                   {"defaulted", r.defaulted},
                   {"application_href", "/admin/applications/" + r.application_id},
                   {"guide_href", "/admin/applications/" + r.application_id + "/guide?matter=" + encoded(s.matter)}});
  }
  return out;
}

class RegisterPage final : public http::Handler {
 public:
  explicit RegisterPage(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    const auto filter = filter_of(ex);
    const auto applications = visible_active(*pages_, staff);
    const auto everything = access::register_rows(applications);  // the filters' choices
    const auto rows = access::register_rows(applications, filter);
    const auto query = query_of(filter);
    json data = {{"rows", rows_view(rows)},
                 {"count", rows.size()},
                 {"total", everything.size()},
                 {"any_rows", !rows.empty()},
                 {"q", filter.text},
                 {"departments", options(access::register_departments(everything), filter.department)},
                 {"fields", options(access::enumeration("field"), filter.field, "field")},
                 {"industries", options(access::register_industries(everything), filter.industry)},
                 {"functions", options(access::enumeration("functions"), filter.function, "functions")},
                 {"csv_href", "/admin/scenarios.csv" + query},
                 {"pdf_href", "/admin/scenarios.pdf" + query}};
    send_page(ex, *pages_->host, staff, "应用场景清单 · 照印管理", "scenarios/register", std::move(data));
  }

 private:
  PagesPtr pages_;
};

class RegisterCsv final : public http::Handler {
 public:
  explicit RegisterCsv(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    const auto rows = access::register_rows(visible_active(*pages_, staff), filter_of(ex));
    // RFC 6266 §4.3: an ASCII fallback name, the Chinese one as filename*.
    ex.response().set("Content-Disposition",
                      "attachment; filename=\"scenario-register.csv\"; filename*=UTF-8''" +
                          encoded("电子营业执照应用场景清单.csv"));
    ex.send_text(200, "text/csv; charset=utf-8", access::register_csv(rows));
  }

 private:
  PagesPtr pages_;
};

class RegisterPdf final : public http::Handler {
 public:
  explicit RegisterPdf(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    const auto filter = filter_of(ex);
    const auto rows = access::register_rows(visible_active(*pages_, staff), filter);
    access::RegisterPrint print;
    print.issuer = filter.department;
    print.sandbox = http::sandbox_demo(*pages_->host);
    ex.response().set("Content-Disposition", "inline; filename=\"scenario-register.pdf\"");
    ex.send_text(200, "application/pdf", access::render_register_pdf(rows, print));
  }

 private:
  PagesPtr pages_;
};

}  // namespace

void register_scenario_register_pages(http::Router& router, const PagesPtr& pages) {
  router.add<RegisterPage>("GET", "/admin/scenarios", pages);
  router.add<RegisterCsv>("GET", "/admin/scenarios.csv", pages);
  router.add<RegisterPdf>("GET", "/admin/scenarios.pdf", pages);
  register_service_guide_page(router, pages);
}

}  // namespace zhaoyin::admin
