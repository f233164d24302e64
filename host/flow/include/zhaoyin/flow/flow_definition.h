#pragma once
// What makes one flow on the engine (docs/FLOWS.md): its names, its tables
// and its states. A flow declares one constant FlowDefinition (login:
// host/login/src/login_flow.cpp, signing: host/signing/src/sign_flow.cpp) and
// hands it to FlowRepository and FlowEngine; everything else they do is the
// same for every flow.
#include <string>
#include <zhaoyin/flow/state_machine.h>

namespace zhaoyin::flow {

// The flow's existing tables. Table and column names go into SQL text, so
// they come from the definition only, never from a request.
struct FlowTables {
  // One row per item, with at least the columns id, client_id, status,
  // created_at, expires_at, updated_at (unix seconds) and callback_url.
  std::string items;
  // The item's event log: (<owner>, seq, status, at), seq counting from 1.
  std::string events;
  std::string event_owner;
  // A column bumped by every change, for a flow whose steps also check a
  // version (optimistic concurrency); empty when the flow has none.
  std::string version_column;
};

struct MetricNames {
  std::string name;
  std::string help;
};

struct FlowDefinition {
  std::string name;             // "login": log lines and docs
  std::string noun;             // "login session": error messages ("the login session is already expired")
  std::string topic_prefix;     // event bus topic of an item: <topic_prefix><id>
  std::string callback_flow;    // the flow's http::CallbackDispatcher (and its log lines)
  std::string log_key;          // the field naming the item in log lines ("session", "task")
  FlowTables tables;
  StateMachine states;
  MetricNames changes_metric;   // counter by new status ("created" for new items)
  MetricNames duration_metric;  // histogram of creation to a final state, by outcome

  std::string topic(const std::string& id) const { return topic_prefix + id; }
};

}  // namespace zhaoyin::flow
