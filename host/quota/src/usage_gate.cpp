// PLACEHOLDER (the quota helper replaces this file): admits everything.
#include <zhaoyin/quota/usage_gate.h>

namespace zhaoyin::quota {

namespace {
class LocalRateWindow final : public RateWindow {
 public:
  std::int64_t hit(const std::string&, std::int64_t) override { return 1; }
};
}  // namespace

std::shared_ptr<RateWindow> make_local_rate_window() { return std::make_shared<LocalRateWindow>(); }

struct UsageGate::State {
  std::shared_ptr<store::Database> db;
  std::shared_ptr<RateWindow> window;
};

UsageGate::UsageGate(std::shared_ptr<store::Database> db, std::shared_ptr<RateWindow> window)
    : state_(std::make_unique<State>(State{std::move(db), std::move(window)})) {}
UsageGate::~UsageGate() = default;

Admission UsageGate::admit(const store::Application&, std::string_view) { return {}; }
std::vector<DayUsage> UsageGate::daily(const std::string&, int) const { return {}; }
std::int64_t UsageGate::year_total(const std::string&) const { return 0; }
void UsageGate::flush() {}
void UsageGate::set_window(std::shared_ptr<RateWindow> window) { state_->window = std::move(window); }

}  // namespace zhaoyin::quota
