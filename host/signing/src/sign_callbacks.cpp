#include "sign_callbacks.h"

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

#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

constexpr int kMaxAttempts = 6;

std::mutex registry_mutex;
std::map<const http::HostContext*, std::weak_ptr<SignCallbacks>>& registry() {
  static std::map<const http::HostContext*, std::weak_ptr<SignCallbacks>> r;
  return r;
}

}  // namespace

std::shared_ptr<SignCallbacks> SignCallbacks::start(std::shared_ptr<http::HostContext> ctx) {
  const auto* key = ctx.get();
  auto d = std::make_shared<SignCallbacks>(std::move(ctx));
  std::lock_guard lock(registry_mutex);
  registry()[key] = d;
  return d;
}

std::shared_ptr<SignCallbacks> SignCallbacks::for_context(const http::HostContext* ctx) {
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(ctx);
  return it == registry().end() ? nullptr : it->second.lock();
}

SignCallbacks::SignCallbacks(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {
  worker_ = std::thread([this] { run(); });
}

SignCallbacks::~SignCallbacks() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(ctx_.get());
  if (it != registry().end() && it->second.expired()) registry().erase(it);
}

void SignCallbacks::enqueue(const std::string& client_id, const std::string& url, const std::string& body) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back({client_id, url, body, 0, std::chrono::steady_clock::now()});
  }
  wake_.notify_all();
}

std::string SignCallbacks::signature(const std::string& key_hex, const std::string& timestamp, const std::string& body) {
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(trust::hex_decode(key_hex), trust::to_bytes(timestamp + "." + body)));
}

void SignCallbacks::run() {
  std::unique_lock lock(mutex_);
  auto next_sweep = std::chrono::steady_clock::now();
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_sweep) {
      lock.unlock();
      sweep_expired();
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      continue;
    }
    auto next = std::min_element(queue_.begin(), queue_.end(), [](const Delivery& a, const Delivery& b) { return a.due < b.due; });
    if (next == queue_.end() || next->due > now) {
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
      ctx_->log->error("sign task callback given up", {{"client_id", d.client_id}, {"url", d.url}, {"attempts", d.attempt}});
      continue;
    }
    d.due = std::chrono::steady_clock::now() + std::chrono::seconds(1 << std::min(d.attempt - 1, 4));
    queue_.push_back(std::move(d));
  }
}

void SignCallbacks::sweep_expired() {
  try {
    if (ctx_->events->closed()) return;
    SignService service(ctx_);
    for (const auto& id : SignRepository(*ctx_).overdue_with_callback(std::chrono::system_clock::now(), 100))
      service.find(id);  // records the expiry and announces it
  } catch (const std::exception& e) {
    ctx_->log->warn("sign task expiry sweep failed", {{"error", e.what()}});
  }
}

bool SignCallbacks::deliver(const Delivery& d) {
  try {
    store::ApplicationRepository apps(*ctx_->db);
    const auto key = apps.callback_key(d.client_id);
    if (!key) return true;  // the application is gone
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
      ctx_->log->info("sign task callback delivered", {{"client_id", d.client_id}, {"url", d.url}, {"attempt", d.attempt}});
      return true;
    }
    ctx_->log->warn("sign task callback refused", {{"client_id", d.client_id}, {"url", d.url}, {"status", status}});
  } catch (const std::exception& e) {
    ctx_->log->warn("sign task callback failed", {{"client_id", d.client_id}, {"url", d.url}, {"error", e.what()}});
  }
  return false;
}

}  // namespace zhaoyin::signing
