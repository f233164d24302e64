// /admin/audit: the audit log, newest first, 50 entries a page.
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/admin/staff_accounts.h>

#include "operator_pages.h"
#include "page_support.h"

namespace zhaoyin::admin {

namespace {

constexpr std::int64_t kPageSize = 50;

std::int64_t page_number(const std::optional<std::string>& text) {
  if (!text) return 1;
  try {
    std::size_t used = 0;
    const long long n = std::stoll(*text, &used);
    if (used == text->size() && n >= 1 && n <= 1'000'000) return n;
  } catch (const std::exception&) {
  }
  return 1;
}

class AuditPage final : public http::Handler {
 public:
  explicit AuditPage(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    StaffAccounts accounts(*ctx_->db);
    const std::int64_t total = accounts.audit_count();
    const std::int64_t pages = std::max<std::int64_t>(1, (total + kPageSize - 1) / kPageSize);
    const std::int64_t page = std::min(page_number(ex.query("page")), pages);
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : accounts.audit_page((page - 1) * kPageSize, kPageSize)) {
      // Pretty-printed detail; an entry that is not JSON is shown as it is.
      std::string detail = e.detail_json;
      const auto parsed = nlohmann::json::parse(e.detail_json, nullptr, false);
      if (!parsed.is_discarded()) detail = parsed.empty() ? "" : parsed.dump(1);
      entries.push_back({{"at", china_time(e.at)}, {"actor", e.actor}, {"action", e.action}, {"target", e.target},
                         {"detail", detail}, {"request_id", e.request_id}});
    }
    nlohmann::json data = {{"entries", entries}, {"total", total}, {"page", page}, {"pages", pages}};
    if (page > 1) data["newer"] = "/admin/audit?page=" + std::to_string(page - 1);
    if (page < pages) data["older"] = "/admin/audit?page=" + std::to_string(page + 1);
    send_page(ex, *ctx_, staff, "审计日志 · 照印管理", "audit", data);
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace

void register_audit_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx) {
  pages.add<AuditPage>("GET", "/admin/audit", ctx);
}

}  // namespace zhaoyin::admin
