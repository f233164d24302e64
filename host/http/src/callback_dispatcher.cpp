#include <zhaoyin/http/callback_dispatcher.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <algorithm>
#include <limits>
#include <map>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::http {

namespace {

using RegistryKey = std::pair<const HostContext*, std::string>;  // host, flow

std::mutex registry_mutex;
std::map<RegistryKey, std::weak_ptr<CallbackDispatcher>>& registry() {
  static std::map<RegistryKey, std::weak_ptr<CallbackDispatcher>> r;
  return r;
}

std::chrono::seconds backoff(int attempt) { return std::chrono::seconds(1 << std::min(attempt - 1, 4)); }

}  // namespace

std::shared_ptr<CallbackDispatcher> CallbackDispatcher::start(std::shared_ptr<HostContext> ctx, std::string flow,
                                                              std::function<void()> sweep) {
  RegistryKey key{ctx.get(), flow};
  auto d = std::make_shared<CallbackDispatcher>(std::move(ctx), std::move(flow), std::move(sweep));
  std::lock_guard lock(registry_mutex);
  registry()[key] = d;
  return d;
}

std::shared_ptr<CallbackDispatcher> CallbackDispatcher::for_context(const HostContext* ctx, const std::string& flow) {
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(RegistryKey{ctx, flow});
  return it == registry().end() ? nullptr : it->second.lock();
}

CallbackDispatcher::CallbackDispatcher(std::shared_ptr<HostContext> ctx, std::string flow, std::function<void()> sweep)
    : ctx_(std::move(ctx)), flow_(std::move(flow)), sweep_(std::move(sweep)) {
  worker_ = std::thread([this] { run(); });
}

CallbackDispatcher::~CallbackDispatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  for (const auto& d : queue_)
    ctx_->log->warn(flow_ + " callback abandoned: the host is stopping", {{"client_id", d.client_id}, {"url", d.url}});
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(RegistryKey{ctx_.get(), flow_});
  if (it != registry().end() && it->second.expired()) registry().erase(it);
}

void CallbackDispatcher::enqueue(const std::string& client_id, const std::string& url, const std::string& body) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back({client_id, url, body, 0, std::chrono::steady_clock::now()});
  }
  wake_.notify_all();
}

std::string CallbackDispatcher::signature(const std::string& key_hex, const std::string& timestamp,
                                          const std::string& body) {
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(trust::hex_decode(key_hex), trust::to_bytes(timestamp + "." + body)));
}

void CallbackDispatcher::run() {
  std::unique_lock lock(mutex_);
  auto next_sweep = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (std::chrono::steady_clock::now() >= next_sweep) {
      lock.unlock();
      if (sweep_ && !ctx_->events->closed()) {
        try {
          sweep_();
        } catch (const std::exception& e) {
          ctx_->log->warn(flow_ + " expiry sweep failed", {{"error", e.what()}});
        }
      }
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      continue;
    }
    auto next = std::min_element(queue_.begin(), queue_.end(), [](const Delivery& a, const Delivery& b) { return a.due < b.due; });
    if (next == queue_.end() || next->due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, next == queue_.end() ? next_sweep : std::min(next_sweep, next->due));
      continue;
    }
    Delivery d = *next;
    queue_.erase(next);
    lock.unlock();
    ++d.attempt;
    const bool ok = deliver(d);
    lock.lock();
    if (ok) continue;
    if (d.attempt >= kMaxAttempts) {
      ctx_->log->error(flow_ + " callback given up", {{"client_id", d.client_id}, {"url", d.url}, {"attempts", d.attempt}});
      continue;
    }
    d.due = std::chrono::steady_clock::now() + backoff(d.attempt);
    queue_.push_back(std::move(d));
  }
}

bool CallbackDispatcher::deliver(const Delivery& d) {
  try {
    store::ApplicationRepository apps(*ctx_->db);
    const auto key = apps.callback_key(d.client_id);
    if (!key) {
      ctx_->log->warn(flow_ + " callback dropped: the application is gone", {{"client_id", d.client_id}});
      return true;
    }
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    const Poco::URI uri(d.url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(5, 0));
    std::string path = uri.getPathAndQuery();
    if (path.empty()) path = "/";
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json; charset=utf-8");
    request.setContentLength(static_cast<std::streamsize>(d.body.size()));
    request.set("X-Zhaoyin-Timestamp", timestamp);
    request.set("X-Zhaoyin-Signature", signature(*key, timestamp, d.body));
    request.set("User-Agent", "zhaoyin-host/" + ctx_->settings.version);
    session.sendRequest(request) << d.body;
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    in.ignore(std::numeric_limits<std::streamsize>::max());
    const int status = static_cast<int>(response.getStatus());
    if (status >= 200 && status < 300) {
      ctx_->log->info(flow_ + " callback delivered", {{"client_id", d.client_id}, {"url", d.url}, {"attempt", d.attempt}});
      return true;
    }
    ctx_->log->warn(flow_ + " callback refused", {{"client_id", d.client_id}, {"url", d.url}, {"status", status}, {"attempt", d.attempt}});
  } catch (const std::exception& e) {
    ctx_->log->warn(flow_ + " callback failed", {{"client_id", d.client_id}, {"url", d.url}, {"error", e.what()}, {"attempt", d.attempt}});
  }
  return false;
}

}  // namespace zhaoyin::http
