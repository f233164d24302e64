#pragma once
// What the UsageGate unit tests share: a real SQLite store in a TempDir
// (migrated), a clock the test moves by hand, and applications with chosen
// limits. No wall-clock timing anywhere: the gate reads the fake clock.
#include <atomic>
#include <chrono>
#include <memory>
#include <test_support.h>
#include <zhaoyin/quota/usage_gate.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::test {

using SystemTime = std::chrono::system_clock::time_point;

// 2026-11-23T10:00:00Z = 2026-11-23 18:00 in Beijing.
inline SystemTime beijing_evening() { return SystemTime(std::chrono::seconds(1795428000)); }

// A clock shared by the test and the gates it builds.
class FakeClock {
 public:
  explicit FakeClock(SystemTime start = beijing_evening()) : now_(std::make_shared<std::atomic<std::int64_t>>(ms(start))) {}
  quota::UsageGate::Clock clock() const {
    auto now = now_;
    return [now] { return SystemTime(std::chrono::milliseconds(now->load())); };
  }
  void set(SystemTime t) { now_->store(ms(t)); }
  void advance(std::chrono::milliseconds d) { now_->fetch_add(d.count()); }
  SystemTime now() const { return SystemTime(std::chrono::milliseconds(now_->load())); }

 private:
  static std::int64_t ms(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  std::shared_ptr<std::atomic<std::int64_t>> now_;
};

// A migrated SQLite store in its own folder.
struct UsageStore {
  TempDir dir{"zhaoyin-quota-test"};
  std::shared_ptr<store::Database> db;
  UsageStore() {
    store::DatabaseSettings s;
    s.data_dir = dir.path() / "data";
    db = std::make_shared<store::Database>(s);
    db->migrate();
  }
};

inline store::Application limited_app(const std::string& client_id, std::int64_t peak_rate,
                                      std::int64_t annual_volume) {
  store::Application app;
  app.client_id = client_id;
  app.name = "Quota test " + client_id;
  app.department = "tax";
  app.scope = "national";
  app.needs = {"login", "presentation", "signature"};
  app.channels = {"pc"};
  app.peak_rate = peak_rate;
  app.annual_volume = annual_volume;
  return app;
}

// A gate that writes only when told to (no background thread).
inline std::unique_ptr<quota::UsageGate> manual_gate(const UsageStore& s, const FakeClock& clock,
                                                      std::shared_ptr<quota::RateWindow> window = nullptr) {
  return std::make_unique<quota::UsageGate>(s.db, window ? window : quota::make_local_rate_window(), clock.clock(),
                                            std::chrono::milliseconds(0));
}

}  // namespace zhaoyin::test
