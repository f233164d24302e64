// The enterprise's seals for the relying party's own page (docs/api/signing.md,
// "Seals of a verified enterprise"): the seeds have the enterprise pick its
// seal on the relying party's page before the task reaches the wallet.
//
// A relying party sees the seals only of an enterprise that has verified
// itself to it: every request names a confirmed login session of the calling
// application (?login_session=ID) whose enterprise is the one asked about.
// The seals are read from the authority at each request (a replaced or
// revoked seal disappears at once); what the login's holder may use is said
// per seal, with the same two checks the signing step makes.
#include <algorithm>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/sm3.h>

#include "api_handlers.h"
#include "sign_service.h"
#include "sign_task.h"

namespace zhaoyin::signing {

namespace {

std::string status_at(const trust::ParsedSeal& seal, std::chrono::system_clock::time_point now) {
  if (now < seal.info.valid_start) return "not_yet_valid";
  if (now > seal.info.valid_end) return "expired";
  return "valid";
}

// One seal as the relying party's page shows it; the impression only when asked.
nlohmann::json seal_json(const authority::SealRecord& s, const std::optional<authority::HolderRecord>& holder,
                         bool with_impression) {
  nlohmann::json j = {{"es_id", s.es_id}, {"type", s.type}, {"type_label", seal_type_label(s.type)}, {"name", s.name}};
  try {
    const auto parsed = trust::parse_seal(s.seal_der);
    j["valid_from"] = protocol::rfc3339(parsed.info.valid_start);
    j["valid_to"] = protocol::rfc3339(parsed.info.valid_end);
    j["status"] = status_at(parsed, std::chrono::system_clock::now());
    const auto& allowed = holder ? holder->authorisation.seals : std::vector<std::string>{};
    j["usable_by_login_holder"] = holder && std::find(allowed.begin(), allowed.end(), s.es_id) != allowed.end() &&
                                  trust::seal_allows_signer(parsed, holder->certificate);
    if (with_impression) {
      const trust::Bytes& png = !s.image_png.empty() ? s.image_png : parsed.info.picture.data;
      j["impression_png"] = png.empty() || (s.image_png.empty() && parsed.info.picture.type != "PNG")
                                ? nlohmann::json(nullptr)
                                : nlohmann::json(trust::base64_encode(png));
    }
  } catch (const trust::TrustError&) {
    j["status"] = "malformed";  // the authority's SESeal does not parse: nobody can sign with it
    j["usable_by_login_holder"] = false;
  }
  j["seal_sm3"] = trust::hex_encode(trust::sm3(s.seal_der));
  return j;
}

}  // namespace

SignService::LoginHolder verified_login(http::Exchange& ex, const std::shared_ptr<http::HostContext>& ctx) {
  const auto client = http::authenticate_bearer(ex, *ctx);
  http::require_scope(client, "signature");
  const std::string id = ex.query("login_session").value_or("");
  if (id.empty() || id.size() > 64)
    throw http::ApiError::bad_request("login_session (a confirmed login session of this application) is required");
  auto v = SignService(ctx).confirmed_login_holder(client.application.client_id, id);
  if (!ctx->authority) throw http::ApiError(503, "authority_unavailable", "no authority is configured");
  return v;
}


void EnterpriseSeals::handle(http::Exchange& ex) {
  const auto login = verified_login(ex, ctx_);
  if (ex.param("uscc") != login.uscc)
    throw http::ApiError(403, "enterprise_not_verified",
                         "login session " + login.session_id + " verified another enterprise, not " + ex.param("uscc"));
  const auto holder = ctx_->authority->find_holder(login.license_serial);
  nlohmann::json seals = nlohmann::json::array();
  for (const auto& s : ctx_->authority->seals_of(login.uscc)) seals.push_back(seal_json(s, holder, false));
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, {{"uscc", login.uscc}, {"login_session", login.session_id}, {"seals", seals}});
}

void SealDetail::handle(http::Exchange& ex) {
  const auto login = verified_login(ex, ctx_);
  const auto holder = ctx_->authority->find_holder(login.license_serial);
  for (const auto& s : ctx_->authority->seals_of(login.uscc)) {
    if (s.es_id != ex.param("esid")) continue;
    auto j = seal_json(s, holder, true);
    j["uscc"] = login.uscc;
    ex.response().set("Cache-Control", "no-store");
    ex.send_json(200, j);
    return;
  }
  // Another enterprise's seal does not exist for this login (nor does a revoked one).
  throw http::ApiError::not_found("the enterprise of login session " + login.session_id + " has no seal " + ex.param("esid"));
}

}  // namespace zhaoyin::signing
