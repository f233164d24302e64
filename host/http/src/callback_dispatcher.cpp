#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/http/trace_context.h>

#include <Poco/Exception.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "callback_store.h"
#include "callback_transport.h"

namespace zhaoyin::http {

namespace {

using RegistryKey = std::pair<const HostContext*, std::string>;  // host, flow

std::mutex registry_mutex;
std::map<RegistryKey, std::weak_ptr<CallbackDispatcher>>& registry() {
  static std::map<RegistryKey, std::weak_ptr<CallbackDispatcher>> r;
  return r;
}

constexpr std::int64_t kPurgeAfterMs = 7LL * 24 * 3600 * 1000;  // given-up deliveries kept a week

// A client id names a file only when it cannot climb out of the folder.
bool safe_file_name(const std::string& s) {
  return !s.empty() && s.size() <= 128 && s[0] != '.' && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

std::shared_ptr<CallbackDispatcher> CallbackDispatcher::start(std::shared_ptr<HostContext> ctx, std::string flow,
                                                              std::function<void()> sweep, Renderer render) {
  RegistryKey key{ctx.get(), flow};
  auto d = std::make_shared<CallbackDispatcher>(std::move(ctx), std::move(flow), std::move(sweep), std::move(render));
  std::lock_guard lock(registry_mutex);
  registry()[key] = d;
  return d;
}

std::shared_ptr<CallbackDispatcher> CallbackDispatcher::for_context(const HostContext* ctx, const std::string& flow) {
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(RegistryKey{ctx, flow});
  return it == registry().end() ? nullptr : it->second.lock();
}

CallbackDispatcher::CallbackDispatcher(std::shared_ptr<HostContext> ctx, std::string flow, std::function<void()> sweep,
                                       Renderer render)
    : ctx_(std::move(ctx)),
      flow_(std::move(flow)),
      sweep_(std::move(sweep)),
      render_(std::move(render)),
      settings_(ctx_->settings.callbacks),
      store_(std::make_unique<CallbackStore>(*ctx_->db, flow_)),
      transport_(std::make_unique<CallbackTransport>(settings_)) {
  const int workers = std::max(1, settings_.workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  scheduler_ = std::thread([this] { schedule(); });
}

CallbackDispatcher::~CallbackDispatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  ready_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  // Attempts in flight are cut short rather than waited for (a slow receiver
  // must not hold up the host's shutdown); they are released, not counted,
  // so a restart sends them again.
  transport_->abort_all();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  for (const auto& d : jobs_) {
    try {
      store_->release(d.id);  // claimed, never attempted: due again at once after a restart
    } catch (const std::exception& e) {
      ctx_->log->warn(flow_ + " callback lease not released", {{"client_id", d.client_id}, {"error", e.what()}});
    }
  }
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(RegistryKey{ctx_.get(), flow_});
  if (it != registry().end() && it->second.expired()) registry().erase(it);
}

void CallbackDispatcher::enqueue(const std::string& client_id, const std::string& url, const std::string& body) {
  try {
    store_->add(client_id, url, body);
  } catch (const std::exception& e) {
    ctx_->log->error(flow_ + " callback not queued", {{"client_id", client_id}, {"url", url}, {"error", e.what()}});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_all();
}

void CallbackDispatcher::send_held(const std::string& held_id, const std::string& body) {
  try {
    if (!store_->fill_held(held_id, body)) return;  // a dispatcher took it up after its hold ran out
  } catch (const std::exception& e) {
    ctx_->log->warn(flow_ + " callback held: sent when its hold runs out", {{"delivery", held_id}, {"error", e.what()}});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_all();
}

std::string CallbackDispatcher::signature(const std::string& key_hex, const std::string& timestamp,
                                          const std::string& body) {
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(trust::hex_decode(key_hex), trust::to_bytes(timestamp + "." + body)));
}

Counter& CallbackDispatcher::attempts_metric(Metrics& metrics) {
  return metrics.counter("zhaoyin_callback_attempts_total", "Callback delivery attempts by flow and outcome.",
                         {"flow", "outcome"});
}

std::chrono::seconds CallbackDispatcher::backoff(const CallbackSettings& s, int attempt) {
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const long long delay = static_cast<long long>(s.retry_base.count()) << doublings;
  return std::chrono::seconds(std::min<long long>(delay, s.retry_max.count()));
}

void CallbackDispatcher::schedule() {
  // A claim outlives the longest attempt (resolution, every address's
  // connect, handshake, send, reply), so no other host takes a row that is
  // still being delivered; after a crash the row is due again once it ends.
  const std::int64_t lease_ms =
      (120 + 4 * settings_.connect_timeout.count() + 3 * settings_.read_timeout.count()) * 1000;
  auto next_sweep = std::chrono::steady_clock::now();
  auto next_purge = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_sweep) {
      lock.unlock();
      if (sweep_ && ctx_->events && !ctx_->events->closed()) {
        try {
          sweep_();
        } catch (const std::exception& e) {
          ctx_->log->warn(flow_ + " expiry sweep failed", {{"error", e.what()}});
        }
      }
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    transport_->reap_overdue();
    dirty_ = false;
    const std::set<std::string> busy = busy_;  // only this thread adds to busy_
    lock.unlock();
    std::vector<PendingDelivery> claimed;
    try {
      const std::int64_t at = CallbackStore::now_ms();
      if (now >= next_purge) {
        store_->purge_failed(at - kPurgeAfterMs);
        next_purge = now + std::chrono::hours(1);
      }
      // One delivery per idle application, the oldest due first: an
      // application with a long backlog never crowds out another.
      for (const auto& client : store_->clients_due(at)) {
        if (busy.count(client)) continue;
        if (auto d = store_->claim_next(client, at, at + lease_ms)) claimed.push_back(std::move(*d));
      }
    } catch (const std::exception& e) {
      ctx_->log->warn(flow_ + " callback queue unreadable", {{"error", e.what()}});
    }
    lock.lock();
    for (auto& d : claimed) {
      busy_.insert(d.client_id);
      jobs_.push_back(std::move(d));
    }
    if (!claimed.empty()) ready_.notify_all();
    // Woken early by enqueue() and by workers that finish; otherwise once a
    // second, which also picks up retries that have come due.
    wake_.wait_until(lock, next_sweep, [this] { return stopping_ || dirty_; });
  }
}

void CallbackDispatcher::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;  // queued jobs are released by the destructor
    PendingDelivery d = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    attempt(d);
    lock.lock();
    busy_.erase(d.client_id);
    dirty_ = true;
    wake_.notify_all();
  }
}

std::filesystem::path CallbackDispatcher::pinned_ca(const std::string& client_id) const {
  if (settings_.pinned_ca_dir.empty() || !safe_file_name(client_id)) return {};
  std::filesystem::path p = std::filesystem::path(settings_.pinned_ca_dir) / (client_id + ".pem");
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? p : std::filesystem::path();
}

CallbackDispatcher::Outcome CallbackDispatcher::send(const PendingDelivery& d, std::string& error) {
  store::ApplicationRepository apps(*ctx_->db);
  const auto key = apps.callback_key(d.client_id);
  if (!key) {
    ctx_->log->warn(flow_ + " callback dropped: the application is gone", {{"client_id", d.client_id}});
    return Outcome::Delivered;  // nothing left to deliver to
  }
  const int attempt = d.attempts + 1;
  // Each attempt is a span of the trace the queuing request belonged to, or of
  // a new one when nothing queued it from a request (an expiry sweep).
  const auto queued_in = TraceParent::parse(d.trace_parent);
  const TraceParent span = queued_in ? queued_in->child() : TraceParent::start();
  LogScope log_scope(LogScope::request_id(), span.trace_id);
  const nlohmann::json where = {{"client_id", d.client_id}, {"url", d.url}, {"attempt", attempt}};
  try {
    // Checked again at every attempt: the configuration may have changed
    // since the URL was accepted, and a name may now resolve elsewhere.
    const CallbackTarget target = check_callback_url(d.url, settings_);
    const auto addresses = resolve_callback_destination(target, settings_);
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    const CallbackReply reply = transport_->post(target, addresses,
                                                 {{"X-Zhaoyin-Timestamp", timestamp},
                                                  {"X-Zhaoyin-Signature", signature(*key, timestamp, d.body)},
                                                  {"traceparent", span.header()},
                                                  {"User-Agent", "zhaoyin-host/" + ctx_->settings.version}},
                                                 d.body, pinned_ca(d.client_id));
    if (reply.status >= 200 && reply.status < 300) {
      ctx_->log->info(flow_ + " callback delivered", where);
      return Outcome::Delivered;
    }
    if (reply.status >= 300 && reply.status < 400) {
      // Following it would let the receiver point the host anywhere, past the
      // policy; the URL is wrong and retrying will not fix it.
      error = "redirect not followed: " + std::to_string(reply.status) + " to " + reply.location;
      ctx_->log->warn(flow_ + " callback redirect not followed",
                      {{"client_id", d.client_id}, {"url", d.url}, {"status", reply.status}, {"location", reply.location}});
      return Outcome::GiveUp;
    }
    error = "status " + std::to_string(reply.status);
    ctx_->log->warn(flow_ + " callback refused",
                    {{"client_id", d.client_id}, {"url", d.url}, {"status", reply.status}, {"attempt", attempt}});
    return Outcome::Retry;
  } catch (const CallbackAborted&) {
    return Outcome::Abandoned;
  } catch (const CallbackRefused& e) {
    error = e.code() + ": " + e.what();
    ctx_->log->warn(flow_ + " callback blocked by policy",
                    {{"client_id", d.client_id}, {"url", d.url}, {"code", e.code()}, {"error", e.what()}});
    return Outcome::GiveUp;
  } catch (const Poco::Exception& e) {
    error = e.displayText();
  } catch (const std::exception& e) {
    error = e.what();
  }
  ctx_->log->warn(flow_ + " callback failed",
                  {{"client_id", d.client_id}, {"url", d.url}, {"error", error}, {"attempt", attempt}});
  return Outcome::Retry;
}

void CallbackDispatcher::attempt(const PendingDelivery& held) {
  PendingDelivery d = held;
  if (d.body.empty() && !d.subject_id.empty()) {
    // Held, and its host stopped before sending it: the state now is what we report.
    std::optional<std::string> body;
    try {
      if (render_) body = render_(d.subject_id);
      if (body) store_->set_body(d.id, *body);
    } catch (const std::exception& e) {
      ctx_->log->warn(flow_ + " held callback not rendered", {{"delivery", d.id}, {"error", e.what()}});
      try {
        store_->retry_later(d.id, d.attempts, CallbackStore::now_ms() + 1000, e.what());
      } catch (const std::exception& again) {  // the lease runs out and the row comes up again
        ctx_->log->warn(flow_ + " callback outcome not recorded", {{"delivery", d.id}, {"error", again.what()}});
      }
      return;
    }
    if (!body) {
      ctx_->log->warn(flow_ + (render_ ? " held callback dropped: its subject is gone"
                                       : " held callback dropped: this flow renders no callbacks"),
                      {{"delivery", d.id}, {"subject", d.subject_id}});
      try {
        store_->delivered(d.id);
      } catch (const std::exception& e) {  // the lease runs out, the row comes up again and is dropped then
        ctx_->log->warn(flow_ + " callback outcome not recorded", {{"delivery", d.id}, {"error", e.what()}});
      }
      return;
    }
    ctx_->log->info(flow_ + " held callback rendered after a stop", {{"delivery", d.id}, {"subject", d.subject_id}});
    d.body = std::move(*body);
  }
  std::string error;
  Outcome outcome = Outcome::Retry;
  try {
    outcome = send(d, error);
  } catch (const std::exception& e) {  // the store failed before the attempt: try again later
    error = e.what();
  }
  if (outcome == Outcome::Abandoned) {
    try {
      store_->release(d.id);  // not an attempt: due again as soon as a dispatcher runs
    } catch (const std::exception& e) {
      ctx_->log->warn(flow_ + " callback lease not released", {{"client_id", d.client_id}, {"error", e.what()}});
    }
    ctx_->log->info(flow_ + " callback interrupted: the host is stopping", {{"client_id", d.client_id}, {"url", d.url}});
    return;
  }
  const int attempts = d.attempts + 1;
  const bool give_up = outcome == Outcome::GiveUp || (outcome == Outcome::Retry && attempts >= settings_.max_attempts);
  if (ctx_->metrics)
    attempts_metric(*ctx_->metrics).inc({flow_, outcome == Outcome::Delivered ? "delivered" : give_up ? "given_up" : "retry"});
  try {
    if (outcome == Outcome::Delivered) {
      store_->delivered(d.id);
    } else if (give_up) {
      store_->give_up(d.id, attempts, error);
      ctx_->log->error(flow_ + " callback given up",
                       {{"client_id", d.client_id}, {"url", d.url}, {"attempts", attempts}, {"error", error}});
    } else {
      const auto due = CallbackStore::now_ms() +
                       std::chrono::duration_cast<std::chrono::milliseconds>(backoff(settings_, attempts)).count();
      store_->retry_later(d.id, attempts, due, error);
    }
  } catch (const std::exception& e) {
    // The lease runs out and the delivery comes up again: at least once.
    ctx_->log->error(flow_ + " callback outcome not recorded", {{"client_id", d.client_id}, {"error", e.what()}});
  }
}

}  // namespace zhaoyin::http
