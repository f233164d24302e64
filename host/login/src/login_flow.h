#pragma once
// Login as a flow on the engine (docs/FLOWS.md): its definition — the tables
// of migration 4, its states — and the engine bound to the login store.
#include <memory>
#include <zhaoyin/flow/flow_definition.h>
#include <zhaoyin/flow/flow_engine.h>
#include <zhaoyin/login/login_service.h>

namespace zhaoyin::login {

const flow::FlowDefinition& login_flow();

// The engine for login sessions: reads through LoginRepository, calls back
// with LoginService::callback_body.
flow::FlowEngine<LoginSession> login_engine(const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::login
