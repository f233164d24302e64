#pragma once
// SQL of the access applications (tables access_applications and
// access_trail, migration 11). Internal to host/access: AccessService decides,
// this stores. Every step is one transaction: a conditional UPDATE on the
// expected status (so of two concurrent steps exactly one lands) and its
// trail entry.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::access {

class AccessRepository {
 public:
  explicit AccessRepository(store::Database& db) : db_(db) {}

  void insert(const AccessApplication& application);
  std::optional<AccessApplication> find(const std::string& id) const;
  // Newest first; owner/status empty: any.
  std::vector<AccessApplication> list(const std::optional<std::string>& owner, std::optional<Status> status) const;

  // Replaces the form if the application is (still) in one of `editable`.
  bool update_form(const std::string& id, const AccessForm& form, const std::vector<Status>& editable, TimePoint at);

  // Moves the application from `entry.from` to `entry.to` and appends the
  // entry (its seq is assigned here and returned); nullopt if the status was
  // no longer `entry.from`. `client_id` is stored when given. from == to
  // (rotation) only records the entry while the status holds.
  std::optional<std::int64_t> step(const std::string& id, TrailEntry entry,
                                   const std::optional<std::string>& client_id = std::nullopt);

  // Takes back a step whose consequence outside this table failed: status
  // back to `entry.from` (client_id cleared if `clear_client`) and the entry removed.
  void undo_step(const std::string& id, const TrailEntry& entry, bool clear_client);

  // One statement of a staged step (migration 27's tables): SQL with `?`
  // placeholders and its values. A guarded statement must change exactly one
  // row — that is how a step checks the state it started from (status, stage,
  // round, an unused link) and how, of two concurrent steps, only one lands.
  using Value = std::variant<std::string, std::int64_t>;
  struct Change {
    std::string sql;
    std::vector<Value> values;
    bool guarded = true;
  };
  // Runs `changes` in one transaction (SQLite's write lock taken first) and
  // appends `entry` when given; nullopt, with nothing changed, when a guarded
  // statement changed no row. Returns the entry's seq (0 without an entry).
  std::optional<std::int64_t> transact(const std::string& id, const std::vector<Change>& changes,
                                       const std::optional<TrailEntry>& entry);

  // A provider sign-off link by the SHA-256 (hex) of its token.
  struct ProviderLink {
    std::string application_id;
    int amendment = 0;
    int round = 0;
    std::string stage;
    std::string minted_by;
    std::int64_t expires_at = 0;
    bool used = false;
  };
  std::optional<ProviderLink> find_link(const std::string& token_hash) const;

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::access
