#pragma once
// The flows' side of flow::Extensions: the event an extension sees, built from
// a stored application, and the refusal turned into the caller's ApiError.
#include <nlohmann/json.hpp>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::http {

// {"client_id","name","department","scope","province","needs","channels","matters"}
nlohmann::json application_json(const store::Application& app);

flow::FlowEvent flow_event(flow::FlowPoint point, const store::Application& app, nlohmann::json subject,
                           nlohmann::json detail);

// Runs every extension active for the application at this flow point. On a
// refusal throws ApiError(decision.status, decision.code, "<source>: <reason>")
// and logs it; otherwise returns the merged requirements (see flow::Decision).
nlohmann::json enforce_extensions(const HostContext& ctx, const flow::FlowEvent& event);

// The ApiError a refusal becomes (for flows that run Extensions themselves).
[[noreturn]] void throw_refusal(const HostContext& ctx, const flow::FlowEvent& event, const flow::Decision& d);

}  // namespace zhaoyin::http
