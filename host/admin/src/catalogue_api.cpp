// The matters catalogue on the operator's JSON API (Authorization: Bearer
// <operator token>, like /api/v1/admin/plugins): read it, and import a
// province's 事项目录 as JSON, all or nothing. The pages (catalogue_pages.cpp)
// are the same catalogue for people.
#include <zhaoyin/access/matters_catalogue.h>
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>

#include "catalogue_pages.h"

namespace zhaoyin::admin {

namespace {

std::shared_ptr<access::MattersCatalogue> catalogue_of(const http::HostContext& ctx) {
  return std::make_shared<access::MattersCatalogue>(ctx.db);
}

// GET /api/v1/admin/matters: the whole catalogue in the import/export format.
class ListMatters final : public http::Handler {
 public:
  explicit ListMatters(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    http::authenticate_operator(ex, *ctx_);
    auto catalogue = catalogue_of(*ctx_);
    if (ctx_->extensions) catalogue->contribute(ctx_->extensions->matters());
    ex.send_json(200, access::catalogue_to_json(catalogue->list()));
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

// POST /api/v1/admin/matters/import: {"matters":[...]} → {"added","updated"};
// 422 invalid_catalogue_import naming every bad item, nothing changed.
class ImportMatters final : public http::Handler {
 public:
  explicit ImportMatters(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    http::authenticate_operator(ex, *ctx_);
    const auto body = ex.json_body();
    try {
      const auto entries = access::catalogue_from_json(body);
      const auto [added, updated] = catalogue_of(*ctx_)->import(entries);
      audit(*ctx_, "operator-token", "matters.import", "matters",
            {{"format", "json"}, {"entries", entries.size()}, {"added", added}, {"updated", updated}});
      ex.send_json(200, {{"added", added}, {"updated", updated}});
    } catch (const access::AccessError& e) {
      std::string message = e.what();
      for (const auto& f : e.fields()) message += "; " + f.field + ": " + f.message;
      throw http::ApiError(422, "invalid_catalogue_import", message);
    }
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace

void register_catalogue_api(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  router.add<ListMatters>("GET", "/api/v1/admin/matters", ctx);
  router.add<ImportMatters>("POST", "/api/v1/admin/matters/import", ctx);
}

}  // namespace zhaoyin::admin
