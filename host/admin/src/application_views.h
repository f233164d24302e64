#pragma once
// What the applications' pages share: the access service of this host, who
// may see which application, and the template data of an application (its
// summary row, its trail, the buttons the signed-in staff member may press).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zhaoyin/access/access_service.h>
#include <zhaoyin/access/matters_catalogue.h>
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::admin {

// The pages' shared state: one AccessService and one matters catalogue per registration.
struct ApplicationPagesContext {
  std::shared_ptr<http::HostContext> host;
  std::shared_ptr<access::AccessService> service;
  std::shared_ptr<access::MattersCatalogue> catalogue;
};
using PagesPtr = std::shared_ptr<const ApplicationPagesContext>;

access::Actor actor_of(const StaffSession& staff);

// The application `id` if this staff member may see it: applicants their
// own (AccessError 403 not_your_application otherwise), reviewers and
// operators every one; AccessError 404 not_found when there is none.
access::AccessApplication visible_application(const access::AccessService& service, const StaffSession& staff,
                                              const std::string& id);

// "2026-11-23 19:05" in China Standard Time (UTC+8), the time the staff read.
std::string beijing_time(const access::TimePoint& t);

// {"id","title","org_name","uscc","owner","status","status_label","updated","href"}
nlohmann::json summary_view(const access::AccessApplication& a);

// [{"seq","action","action_label","from_label","to_label","actor","role_label","opinion","at"}]
nlohmann::json trail_view(const access::AccessApplication& a);

// The whole detail page's data for this staff member: summary, read-only
// form, trail, and "can" flags for the buttons (edit, review actions,
// operator actions).
nlohmann::json detail_view(const access::AccessApplication& a, const StaffSession& staff);

// Renders applications/detail for `a` with an error banner (a refused step),
// keeping the opinion that was typed; `status` is the refusal's HTTP status.
void send_detail(http::Exchange& ex, const http::HostContext& ctx, const StaffSession& staff,
                 const access::AccessApplication& a, int status = 200, const std::string& error_code = "",
                 const std::string& error_message = "", const std::string& opinion = "");

// The shared error page for an AccessError (404, 403, 409, 422).
void send_access_error(http::Exchange& ex, const http::HostContext& ctx, const access::AccessError& e);

}  // namespace zhaoyin::admin
