// /admin/usage: per active application, verifications per day over the last
// 30 days against the declared annual volume (annual_volume/365 as a line),
// and each day's busiest second against the declared peak rate.
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/render/template.h>
#include <zhaoyin/store/application_repository.h>

#include "operator_pages.h"
#include "usage_chart.h"

namespace zhaoyin::admin {

namespace {

constexpr int kDays = 30;

std::vector<quota::DayUsage> usage_of(const http::HostContext& ctx, const std::string& client_id) {
  if (ctx.usage) return ctx.usage->daily(client_id, kDays);
  return std::vector<quota::DayUsage>(kDays);  // not enforced here: zeros
}

std::string short_day(const std::string& day) { return day.size() == 10 ? day.substr(5) : day; }

nlohmann::json application_usage(const http::HostContext& ctx, const store::Application& app) {
  const auto days = usage_of(ctx, app.client_id);
  const std::int64_t year_total = ctx.usage ? ctx.usage->year_total(app.client_id) : 0;
  std::vector<ChartBar> volume, peaks;
  std::int64_t admitted = 0, refused = 0, busiest = 0;
  for (const auto& d : days) {
    volume.push_back({short_day(d.day), static_cast<double>(d.admitted), static_cast<double>(d.refused)});
    peaks.push_back({short_day(d.day), static_cast<double>(d.peak_per_second), 0});
    admitted += d.admitted;
    refused += d.refused;
    busiest = std::max(busiest, d.peak_per_second);
  }
  const double daily_allowance = static_cast<double>(app.annual_volume) / 365.0;
  ChartOptions volume_options{"每日验证量 " + app.name, daily_allowance,
                              "年验证量/365 ≈ " + std::to_string(static_cast<long long>(daily_allowance + 0.5)), ""};
  ChartOptions peak_options{"每日峰值 " + app.name, static_cast<double>(app.peak_rate),
                            "声明峰值 " + std::to_string(app.peak_rate) + " 次/秒", ""};
  const double used_share = app.annual_volume > 0 ? 100.0 * static_cast<double>(year_total) / static_cast<double>(app.annual_volume) : 0;
  char share[16];
  std::snprintf(share, sizeof share, "%.1f%%", used_share);
  return {{"client_id", app.client_id},
          {"name", app.name},
          {"department", app.department},
          {"annual_volume", app.annual_volume},
          {"peak_rate", app.peak_rate},
          {"year_total", year_total},
          {"year_share", app.annual_volume > 0 ? share : "—"},
          {"admitted_30d", admitted},
          {"refused_30d", refused},
          {"busiest_second", busiest},
          {"over_peak", app.peak_rate > 0 && busiest > app.peak_rate},
          {"volume_chart", render::Templates::trusted(bar_chart_svg(volume, volume_options))},
          {"peak_chart", render::Templates::trusted(bar_chart_svg(peaks, peak_options))}};
}

class UsagePage final : public http::Handler {
 public:
  explicit UsagePage(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    nlohmann::json apps = nlohmann::json::array();
    for (const auto& app : store::ApplicationRepository(*ctx_->db).list())
      if (app.status == store::ApplicationStatus::Active) apps.push_back(application_usage(*ctx_, app));
    send_page(ex, *ctx_, staff, "用量 · 照印管理", "usage",
              {{"applications", apps}, {"days", kDays}, {"enforced", static_cast<bool>(ctx_->usage)}});
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace

void register_usage_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx) {
  pages.add<UsagePage>("GET", "/admin/usage", ctx);
}

}  // namespace zhaoyin::admin
