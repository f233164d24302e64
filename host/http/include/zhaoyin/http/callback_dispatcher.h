#pragma once
// Delivers a flow's callbacks to relying parties: POST the JSON body with
//   X-Zhaoyin-Timestamp: <unix seconds>
//   X-Zhaoyin-Signature: sha256=<hex HMAC-SHA256(K, timestamp + "." + body)>
// where K is the application's callback key (store::callback_key_for of its
// secret). Requests never wait for a delivery. Log lines start with the flow's
// name ("login callback delivered").
//
// Hostile URLs: every attempt checks the URL and the addresses its host
// resolves to against the destination policy (callback_policy.h) and connects
// only to those addresses; https trusts the system CA store, or the
// application's pinned CA (callbacks.pinned_ca_dir/<client_id>.pem); plain
// http only with callbacks.allow_http; redirects are never followed.
//
// Durable: a flow's state change holds its callback in the same transaction
// (callback_outbox.h) and send_held() releases it after the commit; enqueue()
// writes a delivery that is not tied to a state change. Either way the
// delivery is in the store (callback_store.h) first, so retries survive a
// restart, and a held delivery whose host stopped before send_held() is
// rendered by the flow's `render` when it comes due. A failed attempt (network
// error, timeout, non-2xx) is retried after retry_base, then twice as long each
// time (capped at retry_max), up to max_attempts; a redirect or a destination
// the policy refuses is given up at once. Given-up deliveries stay in the store
// with status 'failed' and their last error.
//
// Isolated per application: a scheduler thread hands due deliveries to a pool
// of `callbacks.workers` threads, at most one delivery per application at a
// time, so one application's slow or dead receiver holds one worker (bounded
// by the connect and read timeouts) and never delays another application.
//
// Stopping cuts attempts in flight short and leaves them (and everything
// not yet attempted) pending in the store for the next start.
//
// One dispatcher per flow and host: the flow's route registration starts it
// and its route factories own it, so it stops (and joins its threads) when the
// host's router goes away; the flow's service finds it with for_context().
//
// The scheduler also runs the flow's `sweep` about once a second (login and
// signing record the expiry of overdue items that have a callback URL there,
// so their relying party hears "expired" even when nobody polls).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

class CallbackStore;
class CallbackTransport;
struct PendingDelivery;

class CallbackDispatcher {
 public:
  // The body of a held delivery whose host stopped before sending it, from
  // its subject's current state; nullopt when the subject is gone.
  using Renderer = std::function<std::optional<std::string>(const std::string& subject_id)>;

  static std::shared_ptr<CallbackDispatcher> start(std::shared_ptr<HostContext> ctx, std::string flow,
                                                   std::function<void()> sweep, Renderer render = nullptr);
  // The running dispatcher of this flow on this host, or null (its routes are
  // not registered: callbacks are not sent).
  static std::shared_ptr<CallbackDispatcher> for_context(const HostContext* ctx, const std::string& flow);

  CallbackDispatcher(std::shared_ptr<HostContext> ctx, std::string flow, std::function<void()> sweep,
                     Renderer render = nullptr);
  ~CallbackDispatcher();
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  // Stores the delivery and wakes the scheduler. Never throws: a store failure
  // is logged ("<flow> callback not queued").
  void enqueue(const std::string& client_id, const std::string& url, const std::string& body);

  // Gives the delivery `held_id` (hold_callback, callback_outbox.h) its body
  // and sends it now. Never throws: if this fails the held row still comes
  // due and is rendered then.
  void send_held(const std::string& held_id, const std::string& body);

  // The signature header value for a body sent at `timestamp` with hex key `key_hex`.
  static std::string signature(const std::string& key_hex, const std::string& timestamp, const std::string& body);

  // The delay before attempt `attempt + 1`, after `attempt` failed ones.
  static std::chrono::seconds backoff(const CallbackSettings& s, int attempt);
  // Delivery attempts by flow and outcome (registered with the core routes).
  static Counter& attempts_metric(Metrics& metrics);

 private:
  enum class Outcome { Delivered, Retry, GiveUp, Abandoned };
  void schedule();  // the scheduler thread
  void work();      // a worker thread
  void attempt(const PendingDelivery& d);
  Outcome send(const PendingDelivery& d, std::string& error);
  std::filesystem::path pinned_ca(const std::string& client_id) const;

  std::shared_ptr<HostContext> ctx_;
  std::string flow_;
  std::function<void()> sweep_;
  Renderer render_;
  CallbackSettings settings_;
  std::unique_ptr<CallbackStore> store_;
  std::unique_ptr<CallbackTransport> transport_;

  std::mutex mutex_;
  std::condition_variable wake_;  // the scheduler: new work, a worker became free, stopping
  std::condition_variable ready_;  // the workers: a job is queued, stopping
  std::deque<PendingDelivery> jobs_;
  std::set<std::string> busy_;  // applications with a job queued or in flight
  bool dirty_ = false;
  bool stopping_ = false;
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace zhaoyin::http
