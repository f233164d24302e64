// UsageGate on a real SQLite store with a fake clock: the rate window, the
// peak rate (429), the annual volume (403) and what counts toward it, the
// daily rows (flushed by upsert, shared by two gates on one store), and that a
// failing store loses no counts.
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>
#include <thread>

#include "usage_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using namespace std::chrono_literals;

namespace {

void run_sql(store::Database& db, const std::string& sql) {
  auto s = db.session();
  s << sql, Poco::Data::Keywords::now;
}

// A rate window that cannot be reached (as Redis when it is down).
class UnreachableWindow final : public quota::RateWindow {
 public:
  std::int64_t hit(const std::string&, std::int64_t) override { throw quota::QuotaUnavailable("redis is down"); }
};

}  // namespace

TEST_CASE("the local rate window counts per client and second and forgets old seconds") {
  auto window = quota::make_local_rate_window();
  CHECK(window->hit("a", 100) == 1);
  CHECK(window->hit("a", 100) == 2);
  CHECK(window->hit("b", 100) == 1);
  CHECK(window->hit("a", 100) == 3);
  CHECK(window->hit("a", 101) == 1);  // a new second starts at one
  CHECK(window->hit("a", 100) == 4);  // a request stamped a moment earlier still lands in its own second
  CHECK(window->hit("a", 200) == 1);
  CHECK(window->hit("a", 100) == 1);  // long gone: forgotten, counted afresh
}

TEST_CASE("the local rate window is safe to hit from several threads") {
  auto window = quota::make_local_rate_window();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) window->hit("shared", 7);
    });
  for (auto& t : threads) t.join();
  CHECK(window->hit("shared", 7) == 4001);
}

TEST_CASE("beyond the declared peak rate a request is refused with 429 rate_limited and Retry-After") {
  UsageStore s;
  FakeClock clock;
  auto gate = manual_gate(s, clock);
  const auto app = limited_app("peak-two", 2, 0);
  CHECK(gate->admit(app, "presentation").admitted);
  CHECK(gate->admit(app, "presentation").admitted);
  const auto third = gate->admit(app, "presentation");
  CHECK_FALSE(third.admitted);
  CHECK(third.status == 429);
  CHECK(third.code == "rate_limited");
  CHECK(third.retry_after_seconds == 1);
  CHECK(third.message.find("验证峰值") != std::string::npos);
  CHECK(third.message.find("peak-two") != std::string::npos);

  clock.advance(1s);  // the next second has room again
  CHECK(gate->admit(app, "presentation").admitted);

  // Another application in the same second has its own count.
  CHECK(gate->admit(limited_app("peak-other", 1, 0), "login").admitted);

  // No peak declared (0): no limit.
  const auto unlimited = limited_app("no-peak", 0, 0);
  for (int i = 0; i < 50; ++i) REQUIRE(gate->admit(unlimited, "login").admitted);
}

TEST_CASE("at the annual volume a request is refused with 403 annual_volume_exceeded, and refusals do not count") {
  UsageStore s;
  FakeClock clock;
  auto gate = manual_gate(s, clock);
  const auto app = limited_app("three-a-year", 1, 3);

  CHECK(gate->admit(app, "presentation").admitted);
  // Refused for the peak rate: counted as refused, not toward the year.
  const auto too_fast = gate->admit(app, "presentation");
  CHECK(too_fast.code == "rate_limited");
  clock.advance(1s);
  CHECK(gate->admit(app, "presentation").admitted);
  clock.advance(1s);
  CHECK(gate->admit(app, "presentation").admitted);
  clock.advance(1s);
  const auto fourth = gate->admit(app, "presentation");
  CHECK_FALSE(fourth.admitted);
  CHECK(fourth.status == 403);
  CHECK(fourth.code == "annual_volume_exceeded");
  CHECK(fourth.retry_after_seconds == 0);
  CHECK(fourth.message.find("年验证量") != std::string::npos);
  CHECK(fourth.message.find("2026") != std::string::npos);
  clock.advance(1s);
  CHECK(gate->admit(app, "login").code == "annual_volume_exceeded");

  CHECK(gate->year_total("three-a-year") == 3);  // the refusals did not count
  gate->flush();
  CHECK(gate->last_flush_error().empty());
  CHECK(gate->year_total("three-a-year") == 3);
  const auto today = gate->daily("three-a-year", 1).at(0);
  CHECK(today.day == "2026-11-23");
  CHECK(today.admitted == 3);
  CHECK(today.refused == 3);
  CHECK(today.peak_per_second == 2);

  // A fresh gate on the same store (a restart) reads the year from the store.
  auto restarted = manual_gate(s, clock);
  clock.advance(1s);
  CHECK(restarted->admit(app, "presentation").code == "annual_volume_exceeded");
}

TEST_CASE("the year and the day are those of Beijing (UTC+8): the annual volume starts again on 1 January") {
  UsageStore s;
  // 2026-12-31T15:59:59Z is 23:59:59 on 31 December in Beijing.
  FakeClock clock(SystemTime(std::chrono::seconds(1798732799)));
  auto gate = manual_gate(s, clock);
  const auto app = limited_app("new-year", 0, 1);
  CHECK(gate->admit(app, "login").admitted);
  CHECK(gate->admit(app, "login").code == "annual_volume_exceeded");
  CHECK(gate->daily("new-year", 1).at(0).day == "2026-12-31");
  clock.advance(1s);  // 2027-01-01 00:00:00 in Beijing, still 31 December in UTC
  CHECK(gate->admit(app, "login").admitted);
  CHECK(gate->admit(app, "login").code == "annual_volume_exceeded");
  gate->flush();
  const auto days = gate->daily("new-year", 2);
  REQUIRE(days.size() == 2);
  CHECK(days[0].day == "2026-12-31");
  CHECK(days[0].admitted == 1);
  CHECK(days[1].day == "2027-01-01");
  CHECK(days[1].admitted == 1);
  CHECK(days[1].refused == 1);
  CHECK(gate->year_total("new-year") == 1);
}

TEST_CASE("flush adds to the day's row: two gates (two hosts) on one store accumulate, the larger peak wins") {
  UsageStore s;
  FakeClock clock;
  auto host_a = manual_gate(s, clock);
  auto host_b = manual_gate(s, clock);
  const auto app = limited_app("shared-app", 0, 0);
  for (int i = 0; i < 3; ++i) host_a->admit(app, "presentation");  // peak 3 on host A
  clock.advance(1s);
  for (int i = 0; i < 2; ++i) host_b->admit(app, "presentation");  // peak 2 on host B
  host_a->flush();
  host_b->flush();
  clock.advance(1s);
  for (int i = 0; i < 5; ++i) host_b->admit(app, "presentation");  // peak 5 on host B, next flush
  host_b->flush();
  host_a->flush();  // nothing pending: writes nothing, loses nothing

  auto reader = manual_gate(s, clock);
  const auto today = reader->daily("shared-app", 1).at(0);
  CHECK(today.admitted == 10);
  CHECK(today.refused == 0);
  CHECK(today.peak_per_second == 5);
  CHECK(reader->year_total("shared-app") == 10);

  // Unflushed counts show in the gate's own figures before they are written.
  host_a->admit(app, "login");
  CHECK(host_a->daily("shared-app", 1).at(0).admitted == 11);
  CHECK(host_a->year_total("shared-app") == 11);
  CHECK(reader->year_total("shared-app") == 10);
  host_a.reset();  // the destructor flushes
  CHECK(reader->year_total("shared-app") == 11);
}

TEST_CASE("two gates on one store enforce one annual volume once each has flushed") {
  UsageStore s;
  FakeClock clock;
  auto host_a = manual_gate(s, clock);
  auto host_b = manual_gate(s, clock);
  const auto app = limited_app("shared-year", 0, 4);
  CHECK(host_a->admit(app, "presentation").admitted);  // host A knows of its own admission
  CHECK(host_b->admit(app, "presentation").admitted);
  CHECK(host_b->admit(app, "presentation").admitted);
  host_b->flush();   // host B's two admissions reach the store
  host_a->flush();   // host A writes its one and re-reads the year: 3
  CHECK(host_a->admit(app, "presentation").admitted);  // the 4th
  CHECK(host_a->admit(app, "presentation").code == "annual_volume_exceeded");
  host_a->flush();
  host_b->flush();  // host B re-reads: 4
  CHECK(host_b->admit(app, "presentation").code == "annual_volume_exceeded");
}

TEST_CASE("daily() returns the last days oldest first, today last, days without requests as zeros") {
  UsageStore s;
  FakeClock clock;
  auto gate = manual_gate(s, clock);
  const auto app = limited_app("thirty-days", 0, 0);
  clock.advance(-std::chrono::hours(24 * 2));  // two days ago
  gate->admit(app, "login");
  gate->admit(app, "login");
  gate->flush();
  clock.advance(std::chrono::hours(24 * 2));  // today
  gate->admit(app, "presentation");

  const auto days = gate->daily("thirty-days", 30);
  REQUIRE(days.size() == 30);
  CHECK(days.front().day == "2026-10-25");
  CHECK(days.back().day == "2026-11-23");
  CHECK(days[27].day == "2026-11-21");
  CHECK(days[27].admitted == 2);
  CHECK(days[27].peak_per_second == 2);
  CHECK(days[29].admitted == 1);  // not flushed yet, shown all the same
  std::int64_t others = 0;
  for (std::size_t i = 0; i < days.size(); ++i)
    if (i != 27 && i != 29) others += days[i].admitted + days[i].refused + days[i].peak_per_second;
  CHECK(others == 0);
  CHECK(gate->daily("nobody", 30).size() == 30);
  CHECK(gate->daily("thirty-days", 0).empty());
}

TEST_CASE("a store failure during flush keeps the counts for the next flush") {
  UsageStore s;
  FakeClock clock;
  auto gate = manual_gate(s, clock);
  const auto app = limited_app("unlucky", 0, 0);
  gate->admit(app, "login");
  gate->admit(app, "login");
  run_sql(*s.db, "ALTER TABLE usage_daily RENAME TO usage_daily_away");
  gate->flush();  // does not throw
  CHECK_FALSE(gate->last_flush_error().empty());
  gate->admit(app, "login");
  run_sql(*s.db, "ALTER TABLE usage_daily_away RENAME TO usage_daily");
  gate->flush();
  CHECK(gate->last_flush_error().empty());
  auto reader = manual_gate(s, clock);
  const auto today = reader->daily("unlucky", 1).at(0);
  CHECK(today.admitted == 3);
  CHECK(today.peak_per_second == 3);
}

TEST_CASE("an unreachable shared window refuses only applications with a peak rate (QuotaUnavailable)") {
  UsageStore s;
  FakeClock clock;
  auto gate = manual_gate(s, clock, std::make_shared<UnreachableWindow>());
  CHECK_THROWS_AS(gate->admit(limited_app("with-peak", 5, 0), "login"), quota::QuotaUnavailable);
  CHECK(gate->admit(limited_app("without-peak", 0, 0), "login").admitted);
  gate->set_window(quota::make_local_rate_window());
  CHECK(gate->admit(limited_app("with-peak", 5, 0), "login").admitted);
}

TEST_CASE("an unreadable store refuses applications with an annual volume (QuotaUnavailable)") {
  UsageStore s;
  FakeClock clock;
  auto gate = manual_gate(s, clock);
  run_sql(*s.db, "ALTER TABLE usage_daily RENAME TO usage_daily_away");
  CHECK_THROWS_AS(gate->admit(limited_app("with-volume", 0, 100), "login"), quota::QuotaUnavailable);
  CHECK(gate->admit(limited_app("without-volume", 0, 0), "login").admitted);
  run_sql(*s.db, "ALTER TABLE usage_daily_away RENAME TO usage_daily");
  CHECK(gate->admit(limited_app("with-volume", 0, 100), "login").admitted);
}

TEST_CASE("the background thread writes the counts by itself") {
  UsageStore s;
  FakeClock clock;
  quota::UsageGate gate(s.db, quota::make_local_rate_window(), clock.clock(), 20ms);
  gate.admit(limited_app("background", 0, 0), "login");
  auto reader = manual_gate(s, clock);
  // Wait for the event (a generous bound, not a timing requirement).
  for (int i = 0; i < 3000 && reader->year_total("background") == 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(reader->year_total("background") == 1);
}
