#pragma once
// The persistence every flow shares, on the flow's own tables
// (FlowDefinition::tables): the status of an item and its event log.
//
// A change is one conditional UPDATE (the item is in one of the allowed
// states, and before or after its expiry as asked) plus the event row plus
// the held callback (http/callback_outbox.h), all in one transaction: it
// happens at most once even with several hosts sharing the store, and the
// callback that reports it commits with it.
//
// A flow's own repository (login_repository.h, sign_repository.h) keeps its
// own columns and uses append_event()/record_change()/events() inside its own
// transactions for the steps the engine does not know (a signature, say).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <Poco/Data/Session.h>
#include <zhaoyin/flow/flow_definition.h>
#include <zhaoyin/flow/status_event.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::flow {

using TimePoint = std::chrono::system_clock::time_point;

// When a change applies, relative to the item's expires_at.
enum class Deadline {
  Ignore,        // any time (cancel)
  BeforeExpiry,  // only while the item lives (the wallet's steps)
  AfterExpiry,   // only once it is overdue (recording the expiry)
};

class FlowRepository {
 public:
  // Runs inside the change's transaction after its UPDATE applied (a flow's
  // own columns set with the change); throwing rolls the whole change back.
  using AlsoInTransaction = std::function<void(Poco::Data::Session&)>;

  FlowRepository(store::Database& db, const FlowDefinition& flow) : db_(db), flow_(flow) {}

  // Moves item `id` to `to` if its status is one of `from` and the deadline
  // condition holds at `at`; appends the event and holds the callback. False
  // (and nothing stored) if it did not apply.
  bool transition(const std::string& id, const std::vector<std::string>& from, const std::string& to, TimePoint at,
                  Deadline deadline, const AlsoInTransaction& also = {});

  // The callback delivery the last successful transition held, for
  // FlowEngine::announce to send after the commit; nullopt when the item has
  // no callback URL (or nothing applied).
  const std::optional<std::string>& held_callback() const { return held_callback_; }

  // Open items with a callback URL whose expiry has passed at `at`, oldest
  // expiry first (the sweeper records their expiry so their relying party hears it).
  std::vector<std::string> overdue_with_callback(TimePoint at, std::size_t limit) const;

  // ---- inside a flow's own transaction on `session` ----

  // The next event row of item `id`.
  void append_event(Poco::Data::Session& session, const std::string& id, const std::string& status, TimePoint at) const;
  // A status change the flow's own UPDATE made: its event row and its held
  // callback (also kept as held_callback()).
  std::optional<std::string> record_change(Poco::Data::Session& session, const std::string& id,
                                           const std::string& status, TimePoint at);
  // The item's event log, oldest first.
  std::vector<StatusEvent> events(Poco::Data::Session& session, const std::string& id) const;

 private:
  store::Database& db_;
  const FlowDefinition& flow_;
  std::optional<std::string> held_callback_;
};

}  // namespace zhaoyin::flow
