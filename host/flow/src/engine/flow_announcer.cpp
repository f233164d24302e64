#include <zhaoyin/flow/flow_announcer.h>

#include <algorithm>
#include <zhaoyin/http/callback_dispatcher.h>

namespace zhaoyin::flow {

http::Counter& FlowAnnouncer::changes_metric(http::HostContext& ctx, const FlowDefinition& flow) {
  return ctx.metrics->counter(flow.changes_metric.name, flow.changes_metric.help, {"status"});
}

http::Histogram& FlowAnnouncer::duration_metric(http::HostContext& ctx, const FlowDefinition& flow) {
  return ctx.metrics->histogram(flow.duration_metric.name, flow.duration_metric.help, {"outcome"},
                                http::Histogram::human_seconds_buckets());
}

void FlowAnnouncer::count_created() const { changes_metric(*ctx_, flow_).inc({"created"}); }

void FlowAnnouncer::announce(const std::string& id, const std::string& status,
                             std::chrono::system_clock::time_point created_at, const std::optional<std::string>& held,
                             const std::function<std::string()>& body) const {
  ctx_->events->publish(flow_.topic(id));
  if (status != flow_.states.initial()) changes_metric(*ctx_, flow_).inc({status});
  if (flow_.states.is_final(status)) {
    const double seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - created_at).count();
    duration_metric(*ctx_, flow_).observe({status}, std::max(seconds, 0.0));
  }
  if (!held) return;  // no callback URL (creation is not reported: callbacks report changes)
  auto dispatcher = http::CallbackDispatcher::for_context(ctx_.get(), flow_.callback_flow);
  if (!dispatcher) {
    // The held row comes due on its own: whichever host runs this flow's dispatcher renders and sends it.
    ctx_->log->warn(flow_.callback_flow + " callback held: no dispatcher runs in this process, another host's sends it",
                    {{flow_.log_key, id}});
    return;
  }
  dispatcher->send_held(*held, body());
}

}  // namespace zhaoyin::flow
