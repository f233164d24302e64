#pragma once
// SQL of the access applications (tables access_applications and
// access_trail, migration 11). Internal to host/access: AccessService decides,
// this stores. Every step is one transaction: a conditional UPDATE on the
// expected status (so of two concurrent steps exactly one lands) and its
// trail entry.
#include <optional>
#include <string>
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

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::access
