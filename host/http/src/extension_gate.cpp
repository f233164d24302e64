#include <zhaoyin/http/extension_gate.h>

#include <zhaoyin/http/api_error.h>

namespace zhaoyin::http {

nlohmann::json application_json(const store::Application& app) {
  return {{"client_id", app.client_id}, {"name", app.name},         {"department", app.department},
          {"scope", app.scope},         {"province", app.province}, {"needs", app.needs},
          {"channels", app.channels},   {"matters", app.matters}};
}

flow::FlowEvent flow_event(flow::FlowPoint point, const store::Application& app, nlohmann::json subject,
                           nlohmann::json detail) {
  flow::FlowEvent e;
  e.point = point;
  e.client_id = app.client_id;
  e.application = application_json(app);
  e.subject = std::move(subject);
  e.detail = detail.is_object() ? std::move(detail) : nlohmann::json::object();
  return e;
}

void throw_refusal(const HostContext& ctx, const flow::FlowEvent& event, const flow::Decision& d) {
  if (ctx.log)
    ctx.log->info("refused by extension", {{"point", std::string(flow::to_string(event.point))},
                                           {"client_id", event.client_id},
                                           {"source", d.source},
                                           {"code", d.code},
                                           {"reason", d.reason}});
  throw ApiError(d.status, d.code, d.source + ": " + d.reason);
}

nlohmann::json enforce_extensions(const HostContext& ctx, const flow::FlowEvent& event) {
  if (!ctx.extensions) return nlohmann::json::object();
  const flow::Decision d = ctx.extensions->check(event);
  if (!d.allowed) throw_refusal(ctx, event, d);
  return d.requirements;
}

}  // namespace zhaoyin::http
