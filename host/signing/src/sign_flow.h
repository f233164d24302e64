#pragma once
// Signing as a flow on the engine (docs/FLOWS.md): its definition — the
// tables of migration 8, its states — and the engine bound to the sign store.
#include <memory>
#include <zhaoyin/flow/flow_definition.h>
#include <zhaoyin/flow/flow_engine.h>

#include "sign_task.h"

namespace zhaoyin::signing {

const flow::FlowDefinition& sign_flow();

// The engine for sign tasks: reads through SignRepository, calls back with
// SignService::callback_body.
flow::FlowEngine<SignTask> sign_engine(const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::signing
