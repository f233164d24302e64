#include "login_flow.h"

#include "login_repository.h"

namespace zhaoyin::login {

const flow::FlowDefinition& login_flow() {
  static const flow::FlowDefinition definition{
      .name = "login",
      .noun = "login session",
      .topic_prefix = "login:",
      .callback_flow = kCallbackFlow,
      .log_key = "session",
      .tables = {.items = "login_sessions", .events = "login_events", .event_owner = "session_id", .version_column = ""},
      .states = flow::StateMachine("pending", {{{"pending"}, "scanned"},
                                               {{"pending", "scanned"}, "confirmed"},
                                               {{"pending", "scanned"}, "rejected"},
                                               {{"pending", "scanned"}, "expired"},
                                               {{"pending", "scanned"}, "cancelled"}}),
      .changes_metric = {"zhaoyin_login_sessions_total", "Login session state changes by new status (created: new sessions)."},
      .duration_metric = {"zhaoyin_login_duration_seconds",
                          "Time from a login session's creation to its end, by outcome (confirmed, rejected,"
                          " expired, cancelled)."}};
  return definition;
}

bool LoginSession::final() const { return login_flow().states.is_final(status); }

flow::FlowEngine<LoginSession> login_engine(const std::shared_ptr<http::HostContext>& ctx) {
  return flow::FlowEngine<LoginSession>(
      ctx, login_flow(),
      {[ctx](const std::string& id) { return LoginRepository(*ctx).find(id); },
       [ctx](const LoginSession& s) { return LoginService(ctx).callback_body(s); }});
}

}  // namespace zhaoyin::login
