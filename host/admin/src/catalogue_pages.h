#pragma once
// /admin/matters: the 授权事项目录 the operator runs (access::MattersCatalogue):
// the tree, add, rename, retire and reactivate, import (CSV or JSON, all or
// nothing) and export. And what the application form offers from it.
#include <nlohmann/json.hpp>
#include <zhaoyin/access/matters_catalogue.h>
#include <zhaoyin/http/router.h>

#include "application_views.h"

namespace zhaoyin::admin {

// The catalogue as the application form uses it, after merging in what the
// loaded plugins and scripts declare: `entries` is [{"path","name","source",
// "retired"}] for form_view (retired entries show only where an application
// already chose them) plus one {"source":"plugin:<id>"} per loaded plugin that
// declares matters (the form's 部门插件 choices), `known` the paths submit
// checks against.
struct CatalogueOffer {
  nlohmann::json entries = nlohmann::json::array();
  access::KnownMatters known;
};
CatalogueOffer catalogue_offer(const ApplicationPagesContext& pages);

// GET /admin/matters, POST /admin/matters, POST /admin/matters/{code}/rename,
// POST /admin/matters/{code}/status, POST /admin/matters/import,
// GET /admin/matters/export?format=csv|json. Operators only.
void register_catalogue_pages(http::Router& router, const PagesPtr& pages);

// The operator's JSON API (catalogue_api.cpp): GET /api/v1/admin/matters,
// POST /api/v1/admin/matters/import (operator token).
void register_catalogue_api(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::admin
