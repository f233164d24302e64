#pragma once
// Seal changes (印章变动) for relying parties that recorded a seal — a bank's
// 预留印鉴 (docs/api/signing.md, "Seal changes"). The relying party watches
// a seal of an enterprise that verified itself to it (a confirmed login);
// when the authority's seal-change feed reports the seal replaced or revoked,
// the host calls the watch's URL with a signed callback (flow "seal_change",
// signed and retried like every callback: callback_dispatcher.h).
//
// Once per host and cluster: the feed's cursor is one row in the store, and
// a host queues a page's callbacks in the same transaction as a conditional
// UPDATE that moves the cursor from the value it read — a second host that
// read the same cursor finds it moved, queues nothing and reads on from the
// new value. A crash before the commit leaves both undone.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::signing {

inline constexpr const char* kSealChangeFlow = "seal_change";

struct SealWatch {
  std::string client_id;
  std::string es_id;
  std::string uscc;
  std::string callback_url;
  std::string login_session;  // the confirmed login that showed the enterprise to the relying party
  std::chrono::system_clock::time_point created_at{};
};
nlohmann::json to_json(const SealWatch& w);  // {"es_id","uscc","callback_url","login_session","created_at"}

class SealWatchRepository {
 public:
  explicit SealWatchRepository(store::Database& db) : db_(db) {}

  // Adds or replaces (new URL, new start) the application's watch of the seal.
  void put(const SealWatch& w);
  // False when there was none.
  bool remove(const std::string& client_id, const std::string& es_id);
  std::optional<SealWatch> find(const std::string& client_id, const std::string& es_id) const;
  std::vector<SealWatch> of_client(const std::string& client_id, std::size_t limit) const;

 private:
  store::Database& db_;
};

// The feed poller: reads the authority's seal-change feed after the stored
// cursor and queues one callback per change and watching application. Runs
// from the seal_change dispatcher's sweep; at most once per
// settings.seal_feed_interval. Returns how many callbacks it queued.
class SealFeedPoller {
 public:
  explicit SealFeedPoller(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  std::size_t poll_now();
  void poll_when_due();  // the sweep: poll_now() once the interval has passed

 private:
  std::shared_ptr<http::HostContext> ctx_;
  std::chrono::steady_clock::time_point next_{};
};

// The callback body for one change and watch:
// {"event":"seal.changed","change":"replaced"|"revoked"|"new","es_id","uscc",
//  "replaced_by"|null,"changed_at","seq","watch":{"login_session","since"}}
std::string seal_change_body(const authority::SealChange& change, const SealWatch& watch);

}  // namespace zhaoyin::signing
