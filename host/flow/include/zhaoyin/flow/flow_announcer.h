#pragma once
// Tells the world that an item of a flow changed, after the change committed:
//   - the event bus topic <prefix><id> (local and, with Redis, every host's
//     waiters: long-polls, SSE streams, hosted pages re-read the store);
//   - the flow's metrics (changes by new status, duration to a final state);
//   - the callback the change held in its transaction (flow_repository.h),
//     released to the flow's http::CallbackDispatcher with its body.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <zhaoyin/flow/flow_definition.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::flow {

class FlowAnnouncer {
 public:
  FlowAnnouncer(std::shared_ptr<http::HostContext> ctx, const FlowDefinition& flow) : ctx_(std::move(ctx)), flow_(flow) {}

  // Item `id` is now in `status`. `body` renders the held callback's JSON
  // (called only when `held` is set and a dispatcher runs in this process).
  void announce(const std::string& id, const std::string& status, std::chrono::system_clock::time_point created_at,
                const std::optional<std::string>& held, const std::function<std::string()>& body) const;

  // A new item: counted as "created" (creation is not a change: no callback).
  void count_created() const;

  // The flow's metric families: registered with the routes (so /metrics lists
  // them from the start), updated on each change.
  static http::Counter& changes_metric(http::HostContext& ctx, const FlowDefinition& flow);
  static http::Histogram& duration_metric(http::HostContext& ctx, const FlowDefinition& flow);

 private:
  std::shared_ptr<http::HostContext> ctx_;
  const FlowDefinition& flow_;
};

}  // namespace zhaoyin::flow
