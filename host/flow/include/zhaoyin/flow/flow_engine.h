#pragma once
// The one state machine behind every wallet-facing flow (docs/FLOWS.md):
//
//   pending ──wallet fetch──▶ scanned ──the flow's answers──▶ confirmed | rejected | signed | ...
//      │                        │
//      └────────────────────────┴──▶ expired (on read / by the sweeper, once overdue)
//                                  ▶ cancelled (the relying party's DELETE)
//
// What a flow declares is its FlowDefinition (tables, states, names); what it
// keeps is its own data and its own answers (a login's verification, a sign
// task's documents). The engine does the rest, the same way for every flow:
//   - reads that record an overdue item's expiry (once, whoever reads first);
//   - changes allowed by the declared states, at most once (flow_repository.h);
//   - announcing each change: bus, metrics, held callback (flow_announcer.h);
//   - waiting for a change (long-polls, SSE, hosted pages) on the event bus;
//   - cancel, the wallet's first fetch (scanned), and the expiry sweeper.
//
// `Item` is the flow's record type with the members id, client_id, status,
// created_at and expires_at (login::LoginSession, signing::SignTask).
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <zhaoyin/flow/flow_announcer.h>
#include <zhaoyin/flow/flow_definition.h>
#include <zhaoyin/flow/flow_repository.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::flow {

// Now, to the second: the store keeps unix seconds.
inline TimePoint now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

template <class Item>
class FlowEngine {
 public:
  struct Hooks {
    // The item as stored (no expiry applied); nullopt if unknown.
    std::function<std::optional<Item>(const std::string& id)> read;
    // The body of the callback reporting the item's current state.
    std::function<std::string(const Item&)> callback_body;
  };

  FlowEngine(std::shared_ptr<http::HostContext> ctx, const FlowDefinition& flow, Hooks hooks)
      : ctx_(std::move(ctx)), flow_(flow), hooks_(std::move(hooks)) {}

  const FlowDefinition& definition() const { return flow_; }

  // The item with its current status: an overdue open item is recorded (and
  // announced) as expired first. nullopt if unknown.
  std::optional<Item> find(const std::string& id) const {
    auto item = hooks_.read(id);
    if (!item || flow_.states.is_final(item->status) || std::chrono::system_clock::now() < item->expires_at) return item;
    FlowRepository repo(*ctx_->db, flow_);
    if (repo.transition(item->id, flow_.states.sources(kExpired), kExpired, now_seconds(), Deadline::AfterExpiry)) {
      item = hooks_.read(id);
      if (item) announce(*item, repo.held_callback());
      return item;
    }
    return hooks_.read(id);  // another reader recorded it first
  }

  // For the owning application only: nullopt for another application's item.
  std::optional<Item> find_for(const std::string& client_id, const std::string& id) const {
    auto item = find(id);
    if (!item || item->client_id != client_id) return std::nullopt;
    return item;
  }

  // Applies the change to `to` from whichever states the flow declares for
  // it, under `deadline` at `at`, with the flow's own columns set by `also`
  // in the same transaction; announces it and returns the item as changed.
  // nullopt when it did not apply (the item is not in such a state, or the
  // deadline condition failed): nothing was stored.
  std::optional<Item> change(const std::string& id, const std::string& to, TimePoint at, Deadline deadline,
                             const FlowRepository::AlsoInTransaction& also = {}) const {
    FlowRepository repo(*ctx_->db, flow_);
    if (!repo.transition(id, flow_.states.sources(to), to, at, deadline, also)) return std::nullopt;
    auto item = hooks_.read(id);
    if (item) announce(*item, repo.held_callback());
    return item;
  }

  // The relying party's DELETE: any open state → cancelled; 409 already_final otherwise.
  Item cancel(const Item& item) const {
    if (auto changed = change(item.id, kCancelled, now_seconds(), Deadline::Ignore)) return *changed;
    const auto now = find(item.id);
    throw http::ApiError(409, "already_final",
                         "the " + flow_.noun + " is already " + (now ? now->status : std::string("gone")));
  }

  // The wallet's first fetch: pending → scanned while the item lives (no change in any other state).
  Item mark_scanned(const Item& item) const {
    if (auto changed = change(item.id, kScanned, now_seconds(), Deadline::BeforeExpiry)) return *changed;
    return find(item.id).value_or(item);
  }

  // Waits until the status differs from `last` (returns at once if it
  // already does), the deadline passes, the item expires or the host stops;
  // returns the item as it then is (nullopt if unknown). Subscribes before
  // reading, so a change between the read and the wait is not lost (event_bus.h).
  std::optional<Item> wait_for_change(const std::string& id, const std::string& last,
                                      std::chrono::steady_clock::time_point deadline) const {
    auto sub = ctx_->events->subscribe(flow_.topic(id));
    auto item = find(id);
    while (item && item->status == last && !flow_.states.is_final(item->status) && !ctx_->events->closed()) {
      // Wake at the deadline or at the item's expiry, whichever is first (the read then records the expiry).
      const auto to_expiry = item->expires_at - std::chrono::system_clock::now() + std::chrono::milliseconds(50);
      const auto until = std::min(deadline, std::chrono::steady_clock::now() +
                                                std::chrono::duration_cast<std::chrono::steady_clock::duration>(to_expiry));
      const bool woken = sub->wait_until(until);
      item = find(id);
      if (!woken && std::chrono::steady_clock::now() >= deadline) break;
    }
    return item;
  }

  // After a committed change: the bus, the metrics, and the callback `held` in its transaction.
  void announce(const Item& item, const std::optional<std::string>& held = std::nullopt) const {
    FlowAnnouncer(ctx_, flow_).announce(item.id, item.status, item.created_at, held,
                                        [&] { return hooks_.callback_body(item); });
  }

  void count_created() const { FlowAnnouncer(ctx_, flow_).count_created(); }

  // The sweeper (run by the flow's callback dispatcher about once a second):
  // records the expiry of up to `limit` overdue items that have a callback
  // URL, so their relying party hears "expired" even when nobody polls.
  void expire_overdue(std::size_t limit) const {
    for (const auto& id : FlowRepository(*ctx_->db, flow_).overdue_with_callback(std::chrono::system_clock::now(), limit))
      find(id);
  }

  // The held callback's body when its host stopped before sending it: the item's state today.
  std::optional<std::string> render_callback(const std::string& id) const {
    const auto item = find(id);
    if (!item) return std::nullopt;
    return hooks_.callback_body(*item);
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
  const FlowDefinition& flow_;
  Hooks hooks_;
};

}  // namespace zhaoyin::flow
