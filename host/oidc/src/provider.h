#pragma once
// Private to zhaoyin_oidc: what the provider's handlers share, and the OAuth
// error shape its endpoints answer with.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/sandbox_demo.h>
#include <zhaoyin/oidc/login_gateway.h>
#include <zhaoyin/oidc/routes.h>
#include <zhaoyin/oidc/signing_key.h>

namespace zhaoyin::oidc {

// The ID-token signing key: one for every host on the store (migration 29,
// key_ring.cpp). The first host that needs it stores it; every host loads
// that one, so an ID token from any host verifies with the JWKS any host
// serves and is taken back as id_token_hint by any host. A key an earlier
// version kept in the host's data folder (`legacy_file`) becomes the shared
// key if the store has none yet, so tokens already issued still verify.
class KeyRing {
 public:
  KeyRing(std::shared_ptr<store::Database> db, std::filesystem::path legacy_file)
      : db_(std::move(db)), legacy_file_(std::move(legacy_file)) {}
  const SigningKey& key();

 private:
  std::shared_ptr<store::Database> db_;
  std::filesystem::path legacy_file_;
  std::mutex mutex_;
  std::optional<SigningKey> key_;
};

struct Provider {
  std::shared_ptr<http::HostContext> host;
  std::shared_ptr<LoginGateway> logins;  // may be null
  std::shared_ptr<KeyRing> keys;
  ProviderOptions options;

  std::string issuer() const { return host->settings.public_url; }
  bool sandbox() const { return http::sandbox_demo(*host); }
};

// An RFC 6749 §5.2 error: {"error":"<error>","error_description":"..."}.
class OAuthError : public std::runtime_error {
 public:
  OAuthError(int status, std::string error, const std::string& description, http::ApiError::Headers headers = {})
      : std::runtime_error(description), status_(status), error_(std::move(error)), headers_(std::move(headers)) {}
  int status() const { return status_; }
  const std::string& error() const { return error_; }
  const http::ApiError::Headers& headers() const { return headers_; }

 private:
  int status_;
  std::string error_;
  http::ApiError::Headers headers_;
};

// Runs `body`, answering OAuthError (and the edge's own ApiError refusals,
// e.g. a wrong Content-Type) in the OAuth shape instead of the host's.
template <class Body>
void with_oauth_errors(http::Exchange& ex, Body&& body) {
  auto send = [&ex](int status, const std::string& error, const std::string& description,
                    const http::ApiError::Headers& headers) {
    for (const auto& [k, v] : headers) ex.response().set(k, v);
    ex.response().set("Cache-Control", "no-store");
    ex.send_json(status, {{"error", error}, {"error_description", description}});
  };
  try {
    body();
  } catch (const OAuthError& e) {
    send(e.status(), e.error(), e.what(), e.headers());
  } catch (const http::ApiError& e) {
    if (e.status() >= 500) throw;
    send(e.status(), e.status() == 401 ? "invalid_client" : "invalid_request", e.what(), e.headers());
  }
}

// The parameters of a GET (its query) or of a POST (its form body), in order,
// repeats kept. Throws std::invalid_argument for a malformed query and
// http::ApiError for a refused body (wrong type, too large, too many fields).
http::FormFields request_parameters(http::Exchange& ex);

// "uri?name=value&..." or "uri&name=value..." when the URI already has a query.
std::string with_query(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params);

// A refusal shown on the provider's own page instead of being redirected to
// a client (the redirect URI is unknown or not to be trusted yet).
struct PageError {
  int status;
  std::string code;
  std::string message;
};

// request_parameters() for a page: a malformed query or refused body becomes
// a PageError (400 invalid_request, or the edge's own status and code).
http::FormFields page_parameters(http::Exchange& ex);

// The provider pages' message card: a heading, a sentence and optional extra
// HTML (the caller's, already escaped); heading and message are escaped here.
std::string card(const std::string& heading, const std::string& message, const std::string& extra_html = {});

// The card for a PageError: its message and its machine-readable code.
std::string error_card(const std::string& heading, const PageError& error);

// A full page in the host's layout, every dynamic value escaped.
void send_page(http::Exchange& ex, const Provider& provider, int status, const std::string& title,
               const std::string& body_html);

}  // namespace zhaoyin::oidc
