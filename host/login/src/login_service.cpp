#include <zhaoyin/login/login_service.h>

#include <algorithm>
#include <atomic>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/redirect/declared_hosts.h>
#include <zhaoyin/redirect/redirect_target.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/verification/matter_functions.h>
#include <zhaoyin/verification/subject_verifier.h>

#include "login_flow.h"
#include "login_repository.h"

namespace zhaoyin::login {

namespace {

using flow::now_seconds;

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void check_text(const std::optional<std::string>& v, const char* name, std::size_t max) {
  if (v && (v->empty() || v->size() > max))
    throw http::ApiError::bad_request(std::string(name) + " must be 1 to " + std::to_string(max) + " characters");
}

// The hosted page sends the browser to return_url once the login is
// confirmed, so it must never become an open redirect: either a strict path on
// this host, or one of the application's registered redirect URIs compared
// byte for byte (RFC 6749 §3.1.2.3, OIDC Core §3.1.2.1). Nothing is
// normalised: a value a browser could read differently is refused instead.
void check_return_url(const store::Application& app, const std::string& url) {
  if (const auto refusal = redirect::check_return_url(app.redirect_uris, url))
    throw http::ApiError(400, "invalid_return_url", "return_url refused (" + refusal->reason + "): " + refusal->message);
  if (const auto refusal = redirect::check_declared(app.declared_systems, url))
    throw http::ApiError(400, "return_url_not_declared", "return_url refused (" + refusal->reason + "): " + refusal->message);
}

void validate(const store::Application& app, const LoginSessionRequest& r, const http::CallbackSettings& callbacks) {
  if (app.status != store::ApplicationStatus::Active)
    throw http::ApiError(403, "client_suspended", "application " + app.client_id + " is not active");
  if (!contains(app.needs, "login"))
    throw http::ApiError(403, "insufficient_scope", "application " + app.client_id + " is not approved for login");
  if (r.ttl < std::chrono::seconds(10) || r.ttl > std::chrono::seconds(600))
    throw http::ApiError::bad_request("ttl must be 10 to 600 seconds");
  check_text(r.matter, "matter", 200);
  check_text(r.correlation_id, "correlation_id", 200);
  check_text(r.channel, "channel", 32);
  if (r.callback_url) {
    check_text(r.callback_url, "callback_url", 2000);
    // On one of the application's declared 办事系统 too (附件1, declared_hosts.h).
    http::require_callback_url(*r.callback_url, callbacks, app.declared_systems);
  }
  if (r.return_url) check_return_url(app, *r.return_url);
  if (r.channel && !contains(app.channels, *r.channel))
    throw http::ApiError::forbidden("channel_not_approved",
                                    "application " + app.client_id + " is not approved for the channel " + *r.channel);
  if (r.same_device) {
    // The holder must be on the phone: an app or mini-program channel the
    // application is approved for (checked just above), never pc or counter.
    if (!r.channel || !same_device_channel(*r.channel))
      throw http::ApiError(422, "same_device_not_for_channel",
                           "same_device needs an app or mini-program channel (app, wechat_mini, alipay_mini, "
                           "mini_program), not " + r.channel.value_or("none"));
    // The wallet returns the holder there: an absolute registered URI (a
    // claimed https link of the app, RFC 8252 §7.2), never a path on this host.
    if (!r.return_url || r.return_url->empty() || r.return_url->front() == '/')
      throw http::ApiError(400, "invalid_return_url",
                           "same_device needs return_url: one of the application's registered redirect URIs");
  }
  if (r.matter && !verification::matter_approved(app.matters, *r.matter))
    throw http::ApiError::forbidden("matter_not_approved",
                                    "application " + app.client_id + " is not approved for the matter " + *r.matter);
  if (r.matter)
    if (const auto refusal = verification::function_refusal(app, *r.matter, "login"))
      throw http::ApiError::forbidden(verification::kFunctionNotApprovedCode, *refusal);
}

nlohmann::json optional_json(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

// How a relying party's app opens the wallet on the same phone: the wallet's
// registered scheme with the request URL (what the QR code would carry).
constexpr const char* kWalletLinkPrefix = "zhaoyin-wallet://request?url=";

}  // namespace

bool same_device_channel(const std::string& channel) {
  return channel == "app" || channel == "wechat_mini" || channel == "alipay_mini" || channel == "mini_program";
}

namespace {
std::atomic<int> g_max_renewals{3};
}  // namespace

void set_max_renewals(int renewals) { g_max_renewals = renewals; }
int max_renewals() { return g_max_renewals; }

LoginService::LoginService(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}

LoginSession LoginService::create(const store::Application& app, const LoginSessionRequest& request) {
  validate(app, request, ctx_->settings.callbacks);
  return insert_new(app, request, trust::base64url_encode(trust::random_bytes(16)), 0);
}

LoginSession LoginService::insert_new(const store::Application& app, const LoginSessionRequest& request, std::string id,
                                      int renewals) {
  LoginSession s;
  s.id = std::move(id);
  s.client_id = app.client_id;
  s.page_token = trust::base64url_encode(trust::random_bytes(32));
  s.page_token_hash = store::token_hash(s.page_token);
  s.renewals = renewals;
  s.status = "pending";
  s.ticket = protocol::new_ticket();
  s.nonce = protocol::new_nonce();
  s.qr_text = ctx_->settings.public_url + std::string(protocol::kWalletRequestPath) + s.ticket;
  s.request = request;
  s.created_at = now_seconds();
  s.expires_at = s.created_at + request.ttl;
  s.events.push_back({"pending", s.created_at});
  LoginRepository(*ctx_).insert(s);
  const auto engine = login_engine(ctx_);
  engine.count_created();
  engine.announce(s);
  return s;
}

std::optional<LoginSession> LoginService::find(const std::string& id) const { return login_engine(ctx_).find(id); }

std::optional<LoginSession> LoginService::find_for(const std::string& client_id, const std::string& id) const {
  return login_engine(ctx_).find_for(client_id, id);
}

std::optional<LoginSession> LoginService::find_by_ticket(const std::string& ticket) const {
  auto s = LoginRepository(*ctx_).find_by_ticket(ticket);
  if (!s) return s;
  return find(s->id);
}

std::optional<LoginSession> LoginService::wait_for_change(const std::string& id, const std::string& last,
                                                          std::chrono::steady_clock::time_point deadline) const {
  return login_engine(ctx_).wait_for_change(id, last, deadline);
}

LoginSession LoginService::cancel(const LoginSession& session) { return login_engine(ctx_).cancel(session); }

LoginSession LoginService::mark_scanned(const LoginSession& session) { return login_engine(ctx_).mark_scanned(session); }

nlohmann::json LoginService::wallet_request(const LoginSession& s) const {
  store::ApplicationRepository apps(*ctx_->db);
  const auto app = apps.find(s.client_id);
  const std::string base = ctx_->settings.public_url + std::string(protocol::kWalletRequestPath) + s.ticket;
  return {{"protocol", std::string(protocol::kWalletProtocol)},
          {"type", "login"},
          {"ticket", s.ticket},
          {"nonce", s.nonce},
          {"relying_party",
           {{"client_id", s.client_id}, {"name", app ? app->name : ""}, {"department", app ? app->department : ""}}},
          {"matter", optional_json(s.request.matter)},
          {"channel", optional_json(s.request.channel)},
          {"issued_at", protocol::rfc3339(s.created_at)},
          {"expires_at", protocol::rfc3339(s.expires_at)},
          {"answer_url", base + "/answer"},
          // Same-device flow: where the wallet returns the holder, under the
          // host's signature (the wallet goes nowhere else).
          {"return_url", s.request.same_device ? optional_json(s.request.return_url) : nlohmann::json(nullptr)}};
}

nlohmann::json LoginService::to_json(const LoginSession& s) const {
  const std::string api = ctx_->settings.public_url + "/api/v1/login-sessions/" + s.id;
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : s.events) events.push_back({{"status", e.status}, {"at", protocol::rfc3339(e.at)}});
  nlohmann::json out = {{"id", s.id},
                        {"status", s.status},
                        {"qr_text", s.qr_text},
                        {"qr_png_url", api + "/qr.png"},
                        {"qr_svg_url", api + "/qr.svg"},
                        {"page_url", page_url(s)},
                        {"matter", optional_json(s.request.matter)},
                        {"correlation_id", optional_json(s.request.correlation_id)},
                        {"channel", optional_json(s.request.channel)},
                        {"same_device", s.request.same_device},
                        {"created_at", protocol::rfc3339(s.created_at)},
                        {"expires_at", protocol::rfc3339(s.expires_at)},
                        {"events", events}};
  if (s.request.same_device) {
    out["wallet_link"] = kWalletLinkPrefix + http::form_encode(s.qr_text);
    out["return_redeemed"] = s.return_redeemed;
  }
  if (s.status == "confirmed") {
    out["subject"] = s.subject;
    out["authenticated_at"] = s.authenticated_at ? nlohmann::json(protocol::rfc3339(*s.authenticated_at)) : nlohmann::json(nullptr);
  }
  return out;
}

LoginSession LoginService::redeem_return(const LoginSession& s, const std::string& return_token) {
  if (!s.request.same_device)
    throw http::ApiError(409, "not_same_device", "this login session is not a same-device login");
  if (s.return_token_hash.empty())
    throw http::ApiError(409, "not_answered", "the wallet has not answered this login yet");
  if (return_token.empty() || return_token.size() > 256 ||
      !trust::equal_constant_time(trust::to_bytes(store::token_hash(return_token)), trust::to_bytes(s.return_token_hash)))
    throw http::ApiError::forbidden("invalid_return_token", "the return token is not this login's");
  if (!LoginRepository(*ctx_).redeem_return(s.id, now_seconds()))
    throw http::ApiError(409, "return_token_used", "the return token was already redeemed");
  ctx_->log->info("login return redeemed", {{"session", s.id}});
  return *find(s.id);
}

void LoginService::set_return_url(const std::string& id, const std::string& return_url) {
  LoginRepository(*ctx_).set_return_url(id, return_url);
}

std::string LoginService::page_url(const LoginSession& s) const {
  std::string url = ctx_->settings.public_url + "/login/" + s.id;
  if (!s.page_token.empty()) url += "#page_token=" + s.page_token;
  return url;
}

bool LoginService::page_token_matches(const LoginSession& s, const std::string& token) const {
  // Sessions from before migration 13 have no page token: nothing matches.
  if (s.page_token_hash.empty() || token.empty() || token.size() > 256) return false;
  return trust::equal_constant_time(trust::to_bytes(store::token_hash(token)), trust::to_bytes(s.page_token_hash));
}

void LoginService::check_renewable(const LoginSession& s, const store::Application& app) const {
  if (s.status != "expired")
    throw http::ApiError(409, "not_expired", "only an expired login session can be renewed (this one is " + s.status + ")");
  if (s.renewed_to)
    throw http::ApiError(409, "already_renewed", "this login session has already been renewed");
  if (s.renewals >= max_renewals())
    throw http::ApiError::forbidden("renewal_limit_reached",
                                    "this login has been renewed " + std::to_string(s.renewals) +
                                        " times, the most allowed (login.max_renewals); start a new login");
  if (app.client_id != s.client_id)
    throw http::ApiError::forbidden("not_session_owner", "the login session belongs to another application");
  validate(app, s.request, ctx_->settings.callbacks);
}

LoginSession LoginService::renew(const LoginSession& expired, const store::Application& app) {
  // Everything is checked first, so that a claimed session always has its successor.
  check_renewable(expired, app);
  std::string id = trust::base64url_encode(trust::random_bytes(16));
  // One renewal per expired session (a conditional UPDATE: also across hosts).
  if (!LoginRepository(*ctx_).claim_renewal(expired.id, id))
    throw http::ApiError(409, "already_renewed", "this login session has already been renewed");
  return insert_new(app, expired.request, std::move(id), expired.renewals + 1);
}

std::optional<LoginSession> LoginService::find_latest(const std::string& id) const {
  auto s = find(id);
  // A chain is at most login.max_renewals (≤ 20) long; the bound guards against a loop in stored data.
  for (int hops = 0; s && s->renewed_to && hops <= 20; ++hops) {
    auto next = find(*s->renewed_to);
    if (!next) break;
    s = std::move(next);
  }
  return s;
}

http::Counter& LoginService::changes_metric(http::HostContext& ctx) {
  return flow::FlowAnnouncer::changes_metric(ctx, login_flow());
}

http::Histogram& LoginService::duration_metric(http::HostContext& ctx) {
  return flow::FlowAnnouncer::duration_metric(ctx, login_flow());
}

void LoginService::announce(const LoginSession& s, const std::optional<std::string>& held) const {
  login_engine(ctx_).announce(s, held);
}

std::string LoginService::callback_body(const LoginSession& s) const {
  return nlohmann::json{{"event", "login_session.status"}, {"session", to_json(s)}}.dump();
}

}  // namespace zhaoyin::login
