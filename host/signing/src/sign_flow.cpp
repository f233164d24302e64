#include "sign_flow.h"

#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

const flow::FlowDefinition& sign_flow() {
  // The wallet signs seal by seal (sign_answer.cpp): each signature keeps an
  // open task open (partially_signed) until the last one due (signed). Those
  // steps also check the task's version, which every change bumps.
  static const flow::FlowDefinition definition{
      .name = "signing",
      .noun = "sign task",
      .topic_prefix = "sign:",
      .callback_flow = kCallbackFlow,
      .log_key = "task",
      .tables = {.items = "sign_tasks", .events = "sign_task_events", .event_owner = "task_id", .version_column = "version"},
      .states = flow::StateMachine("pending", {{{"pending"}, "scanned"},
                                               {{"pending", "scanned", "partially_signed"}, "partially_signed"},
                                               {{"pending", "scanned", "partially_signed"}, "signed"},
                                               {{"pending", "scanned", "partially_signed"}, "rejected"},
                                               {{"pending", "scanned", "partially_signed"}, "expired"},
                                               {{"pending", "scanned", "partially_signed"}, "cancelled"}}),
      .changes_metric = {"zhaoyin_sign_tasks_total", "Sign task state changes by new status (created: new tasks)."},
      .duration_metric = {"zhaoyin_sign_task_duration_seconds",
                          "Time from a sign task's creation to its end, by outcome (signed, rejected, expired,"
                          " cancelled)."}};
  return definition;
}

bool SignTask::final() const { return sign_flow().states.is_final(status); }

flow::FlowEngine<SignTask> sign_engine(const std::shared_ptr<http::HostContext>& ctx) {
  return flow::FlowEngine<SignTask>(
      ctx, sign_flow(),
      {[ctx](const std::string& id) { return SignRepository(*ctx).find(id); },
       [ctx](const SignTask& t) { return SignService(ctx).callback_body(t); }});
}

}  // namespace zhaoyin::signing
