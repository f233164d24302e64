// /admin/matters: the operator's 授权事项目录. Every refusal comes back as the
// page itself with the status, a notice carrying the error code and, for an
// import, every bad line; nothing in the catalogue changes on a refusal
// (MattersCatalogue checks before it writes, imports in one transaction).
#include "catalogue_pages.h"

#include <map>
#include <set>
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/api_error.h>

#include "page_support.h"

namespace zhaoyin::admin {

namespace {

using access::AccessError;
using access::CatalogueEntry;
using nlohmann::json;

const char* const kPath = "/admin/matters";

void merge_contributions(const ApplicationPagesContext& pages) {
  if (pages.host->extensions) pages.catalogue->contribute(pages.host->extensions->matters());
}

std::string source_label(const std::string& source) {
  if (source == "starter") return "内置目录";
  if (source == "operator") return "运维添加";
  if (source == "import") return "导入";
  if (source.rfind("plugin:", 0) == 0) return "插件 " + source.substr(7);
  if (source.rfind("script:", 0) == 0) return "脚本 " + source.substr(7);
  return source;
}

// 领域 → 行业 → entries, in the catalogue's order.
json tree_view(const std::vector<CatalogueEntry>& entries) {
  json domains = json::array();
  std::map<std::string, std::size_t> domain_at;
  std::map<std::string, std::map<std::string, std::size_t>> industry_at;
  for (const auto& e : entries) {
    if (!domain_at.count(e.domain)) {
      domain_at[e.domain] = domains.size();
      domains.push_back({{"name", e.domain}, {"industries", json::array()}});
    }
    auto& domain = domains[domain_at[e.domain]];
    auto& industries = industry_at[e.domain];
    if (!industries.count(e.industry)) {
      industries[e.industry] = domain["industries"].size();
      domain["industries"].push_back({{"name", e.industry}, {"entries", json::array()}});
    }
    domain["industries"][industries[e.industry]]["entries"].push_back(
        {{"code", e.code},
         {"matter", e.matter},
         {"label", e.label},
         {"shown", e.shown()},
         {"path", e.path()},
         {"active", e.active()},
         {"source", e.source},
         {"source_label", source_label(e.source)},
         {"updated", china_time(e.updated_at)}});
  }
  return domains;
}

// The page, with whatever the request adds (a notice, an error, the import
// text kept, the add form's values kept).
void send_catalogue(http::Exchange& ex, const ApplicationPagesContext& pages, const StaffSession& staff,
                    json extra = json::object(), int status = 200) {
  merge_contributions(pages);
  const auto entries = pages.catalogue->list();
  std::size_t active = 0;
  for (const auto& e : entries) active += e.active() ? 1 : 0;
  json data = {{"domains", tree_view(entries)},
               {"total", entries.size()},
               {"active_count", active},
               {"retired_count", entries.size() - active},
               {"add", {{"domain", "电子政务"}}},
               {"import_format", "csv"}};
  data.update(extra);
  data["add_domain_government"] = data["add"].value("domain", "") == "电子政务";
  data["add_domain_commerce"] = data["add"].value("domain", "") == "电子商务";
  data["import_csv"] = data.value("import_format", "") != "json";
  send_page(ex, *pages.host, staff, "授权事项目录 · 照印管理", "matters", std::move(data), status);
}

json error_view(const AccessError& e) {
  json problems = json::array();
  for (const auto& f : e.fields())
    if (f.field.rfind("line ", 0) == 0) problems.push_back({{"line", f.field.substr(5)}, {"message", f.message}});
  return {{"code", e.code()}, {"message", e.what()}, {"problems", problems}, {"any_problems", !problems.empty()}};
}

class CataloguePage final : public http::Handler {
 public:
  explicit CataloguePage(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    json extra = json::object();
    if (const auto done = ex.query("done")) extra["notice"] = *done == "imported" ? "导入完成" : "已保存";
    if (const auto code = ex.query("code")) extra["changed_code"] = *code;
    send_catalogue(ex, *pages_, staff, extra);
  }

 private:
  PagesPtr pages_;
};

// POST /admin/matters: a new matter (source operator).
class AddMatter final : public http::Handler {
 public:
  explicit AddMatter(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    const auto fields = ex.form_body();
    require_csrf(staff, fields);
    CatalogueEntry e;
    e.domain = form_field(fields, "domain");
    e.industry = form_field(fields, "industry");
    e.matter = form_field(fields, "matter");
    e.label = form_field(fields, "label");
    e.code = form_field(fields, "code");
    try {
      const auto added = pages_->catalogue->add(e);
      audit(*pages_->host, staff.username, "matter.add", added.code, {{"path", added.path()}, {"label", added.label}});
      redirect(ex, std::string(kPath) + "?done=added&code=" + http::form_encode(added.code));
    } catch (const AccessError& refused) {
      send_catalogue(ex, *pages_, staff,
                     {{"error", error_view(refused)},
                      {"add", {{"domain", e.domain}, {"industry", e.industry}, {"matter", e.matter}, {"label", e.label},
                               {"code", e.code}}}},
                     refused.status());
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/matters/{code}/rename: a new label; the code and path stay.
class RenameMatter final : public http::Handler {
 public:
  explicit RenameMatter(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    const auto fields = ex.form_body();
    require_csrf(staff, fields);
    const auto code = ex.param("code");
    try {
      const auto before = pages_->catalogue->find(code);
      const auto renamed = pages_->catalogue->rename(code, form_field(fields, "label"));
      audit(*pages_->host, staff.username, "matter.rename", code,
            {{"path", renamed.path()}, {"from", before ? before->shown() : ""}, {"to", renamed.shown()}});
      redirect(ex, std::string(kPath) + "?done=renamed&code=" + http::form_encode(code));
    } catch (const AccessError& refused) {
      send_catalogue(ex, *pages_, staff, {{"error", error_view(refused)}}, refused.status());
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/matters/{code}/status: status=retired (停用) or active (恢复).
class SetMatterStatus final : public http::Handler {
 public:
  explicit SetMatterStatus(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    const auto fields = ex.form_body();
    require_csrf(staff, fields);
    const auto code = ex.param("code");
    const auto status = form_field(fields, "status");
    try {
      const auto changed = pages_->catalogue->set_status(code, status);
      audit(*pages_->host, staff.username, status == "retired" ? "matter.retire" : "matter.reactivate", code,
            {{"path", changed.path()}});
      redirect(ex, std::string(kPath) + "?done=" + status + "&code=" + http::form_encode(code));
    } catch (const AccessError& refused) {
      send_catalogue(ex, *pages_, staff, {{"error", error_view(refused)}}, refused.status());
    }
  }

 private:
  PagesPtr pages_;
};

// POST /admin/matters/import: format=csv|json, data=the file's text (the
// page's script puts a chosen file there; it can also be pasted).
class ImportCatalogue final : public http::Handler {
 public:
  explicit ImportCatalogue(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    const auto fields = ex.form_body();
    require_csrf(staff, fields);
    const auto format = form_field(fields, "format");
    const auto text = form_field(fields, "data");
    try {
      if (format != "csv" && format != "json")
        throw AccessError(422, "invalid_catalogue_import", "导入格式只能是 csv 或 json");
      const auto entries = format == "csv" ? access::parse_catalogue_csv(text) : access::parse_catalogue_json(text);
      const auto [added, updated] = pages_->catalogue->import(entries);
      audit(*pages_->host, staff.username, "matters.import", "matters",
            {{"format", format}, {"entries", entries.size()}, {"added", added}, {"updated", updated}});
      redirect(ex, std::string(kPath) + "?done=imported");
    } catch (const AccessError& refused) {
      send_catalogue(ex, *pages_, staff,
                     {{"error", error_view(refused)}, {"import_text", text}, {"import_format", format}},
                     refused.status());
    }
  }

 private:
  PagesPtr pages_;
};

// GET /admin/matters/export?format=csv|json: the whole catalogue as a download.
class ExportCatalogue final : public http::Handler {
 public:
  explicit ExportCatalogue(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Operator});
    const auto format = ex.query("format").value_or("csv");
    if (format != "csv" && format != "json")
      throw http::ApiError(400, "invalid_request", "format must be csv or json");
    merge_contributions(*pages_);
    const auto entries = pages_->catalogue->list();
    ex.response().set("Content-Disposition", "attachment; filename=\"zhaoyin-matters." + format + "\"");
    ex.response().set("Cache-Control", "no-store");
    if (format == "csv")
      ex.send_text(200, "text/csv; charset=utf-8", access::catalogue_to_csv(entries));
    else
      ex.send_text(200, "application/json; charset=utf-8", access::catalogue_to_json(entries).dump(1) + "\n");
  }

 private:
  PagesPtr pages_;
};

}  // namespace

CatalogueOffer catalogue_offer(const ApplicationPagesContext& pages) {
  const json declared = pages.host->extensions ? pages.host->extensions->matters() : json::array();
  pages.catalogue->contribute(declared);
  CatalogueOffer offer;
  for (const auto& e : pages.catalogue->list()) {
    offer.entries.push_back({{"path", e.path()}, {"name", e.shown()}, {"source", e.source}, {"retired", !e.active()}});
    (e.active() ? offer.known.active : offer.known.retired).push_back(e.path());
  }
  // The department plugins on offer (the form's 部门插件 choices) are the
  // loaded plugins that declare matters, also where the catalogue already had
  // their paths from another source: entries with a source and no path, which
  // the matters tree skips.
  std::set<std::string> plugins;
  for (const auto& m : declared) {
    if (!m.is_object()) continue;
    const auto source = m.find("source");
    if (source == m.end() || !source->is_string()) continue;
    const auto& text = source->get_ref<const std::string&>();
    if (text.rfind("plugin:", 0) == 0) plugins.insert(text);
  }
  for (const auto& source : plugins) offer.entries.push_back({{"source", source}});
  return offer;
}

void register_catalogue_pages(http::Router& router, const PagesPtr& pages) {
  router.add<CataloguePage>("GET", kPath, pages);
  router.add<AddMatter>("POST", kPath, pages);
  router.add<ImportCatalogue>("POST", "/admin/matters/import", pages);
  router.add<ExportCatalogue>("GET", "/admin/matters/export", pages);
  router.add<RenameMatter>("POST", "/admin/matters/{code}/rename", pages);
  router.add<SetMatterStatus>("POST", "/admin/matters/{code}/status", pages);
}

}  // namespace zhaoyin::admin
