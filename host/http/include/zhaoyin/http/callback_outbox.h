#pragma once
// The transactional outbox of flow callbacks: a session's or task's state
// change and the callback that reports it commit together, so a host that
// stops between the two (crash, kill, power) still calls the relying party.
//
//   1. Inside the state change's own transaction the repository calls
//      hold_callback(): when the subject has a callback URL, a delivery row is
//      inserted with an empty body, due kCallbackHoldMs later.
//   2. After the commit the flow renders the body from the new state and
//      calls CallbackDispatcher::send_held(), which fills the body in and
//      makes the row due at once (the normal path: nothing waits).
//   3. Had the host stopped before step 2, the row comes due on its own; the
//      dispatcher of any host then renders the body from the subject's
//      current state (the flow's renderer) and delivers it.
//
// Either way the relying party gets at least one callback per state change;
// in case 3 it describes the state at delivery time, which the receiver
// handles like any other (callbacks carry the full state, docs/API.md).
#include <Poco/Data/Session.h>
#include <cstdint>
#include <optional>
#include <string>

namespace zhaoyin::http {

// How long a held delivery waits for its body before a dispatcher renders it.
inline constexpr std::int64_t kCallbackHoldMs = 15'000;

// Inside the caller's open transaction on `session`: when the row
// `subject_id` of `subject_table` (a flow's table with the columns id,
// client_id and callback_url, named by the flow's definition, never by a
// request: flow/flow_definition.h) has a callback URL, holds a delivery of
// `flow` to it and returns its id; nullopt when the subject has no callback
// URL. Throws what the statement throws (Poco::Exception): the caller's
// transaction rolls back.
std::optional<std::string> hold_callback(Poco::Data::Session& session, const std::string& flow,
                                         const std::string& subject_table, const std::string& subject_id);

// Inside the caller's open transaction on `session`: a delivery of `flow`
// with its body, due at once — for a callback that is not about a flow item
// but must commit with something else (the seal-change feed's cursor,
// signing/src/seal_watch.cpp). The dispatcher of `flow` picks it up on its
// next round. Returns its id; throws what the statement throws.
std::string queue_callback(Poco::Data::Session& session, const std::string& flow, const std::string& client_id,
                           const std::string& url, const std::string& body);

}  // namespace zhaoyin::http
