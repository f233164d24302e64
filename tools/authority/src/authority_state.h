#pragma once
// What the operator commands change beyond the certificates' CRLs: the
// authority's own records in DIR/authority/authority-state.json
// (docs/AUTHORITY.md §Files). Absent means nothing has changed since
// `sandbox init`. Every write bumps `generation`, which the service watches.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zhaoyin::authority_service {

// 存续 / 吊销 / 注销 / 迁出 (the registration authority's four states).
enum class EnterpriseStatus { Active, Revoked, Cancelled, MovedOut };
std::string to_string(EnterpriseStatus s);  // active | revoked | cancelled | moved_out
std::string status_label(EnterpriseStatus s);  // 存续 | 吊销 | 注销 | 迁出
// Accepts the English word or the Chinese label; throws std::invalid_argument.
EnterpriseStatus enterprise_status_from(const std::string& text);

struct EnterpriseChange {
  EnterpriseStatus status = EnterpriseStatus::Active;
  std::string changed_at;  // ISO 8601 UTC
};

struct SealChange {
  std::string uscc;
  std::string type;         // company | finance | contract | invoice | legal_rep
  std::string name;
  std::string status;       // replaced | revoked
  std::string replaced_by;  // the new seal's code when replaced
  std::string changed_at;
};

struct GrantChange {
  std::string status = "withdrawn";
  std::string changed_at;
};

// One entry of the seal-change feed (印章变动).
struct SealEvent {
  std::int64_t seq = 0;     // 1, 2, 3 ... in the order they happened
  std::string event;        // new | replaced | revoked
  std::string es_id;
  std::string uscc;
  std::string related;      // replaced: the new code; new (by replacement): the old one
  std::string at;
};

struct AuthorityState {
  std::int64_t generation = 0;
  std::map<std::string, EnterpriseChange> enterprises;  // by USCC
  std::map<std::string, SealChange> seals;              // by seal code
  std::map<std::string, GrantChange> grants;            // by the holder's certificate serial
  std::vector<SealEvent> seal_events;

  void add_seal_event(std::string event, std::string es_id, std::string uscc, std::string related, std::string at);
};

std::filesystem::path state_file(const std::filesystem::path& sandbox_dir);
// Reads the file (an empty state when absent); throws std::runtime_error naming it.
AuthorityState load_state(const std::filesystem::path& sandbox_dir);
// Bumps the generation and writes the file atomically.
void save_state(const std::filesystem::path& sandbox_dir, AuthorityState& state);

std::string iso8601_now();

}  // namespace zhaoyin::authority_service
