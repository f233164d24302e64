#include <zhaoyin/wallet/wallet.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/json_reader.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::wallet {

namespace {

constexpr std::string_view kFormat = "zhaoyin-wallet/1";

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts));
}

// Reads one member of the wallet JSON; a missing or mistyped member is a
// malformed wallet, named in the message.
const nlohmann::json& member(const nlohmann::json& object, const char* key, nlohmann::json::value_t type,
                             const std::string& origin) {
  if (!object.is_object() || !object.contains(key) || object.at(key).type() != type) {
    throw WalletError("malformed", origin + ": the wallet has no valid \"" + key + "\"");
  }
  return object.at(key);
}

std::string text(const nlohmann::json& object, const char* key, const std::string& origin) {
  return member(object, key, nlohmann::json::value_t::string, origin).get<std::string>();
}

// The grant as the legal representative signed it: its window comes from the
// signed payload, not from the wallet's own copy of the authorisation, and
// matches_authorisation says whether the two agree. (The signature itself is
// checked by the relying party, which holds the legal representative's
// certificate; the wallet only carries the grant.)
nlohmann::json describe_grant(const nlohmann::json& grant, const domain::Authorisation& own,
                              std::chrono::system_clock::time_point now) {
  nlohmann::json out = {{"signer_cert_serial", grant.value("signer_cert_serial", std::string())}};
  try {
    const auto payload =
        nlohmann::json::parse(trust::to_string(trust::base64url_decode(grant.value("payload", std::string()))));
    const auto signed_authorisation = payload.at("authorisation");
    const std::string from = signed_authorisation.value("valid_from", std::string());
    const std::string to = signed_authorisation.value("valid_to", std::string());
    const std::string at = iso8601_utc(now);
    out["valid_from"] = from;
    out["valid_to"] = to;
    out["status"] = at < from ? "not_yet_valid" : (at > to ? "expired" : "valid");
    out["matches_authorisation"] = signed_authorisation == domain::to_json(own);
  } catch (const std::exception&) {
    out["status"] = "malformed";
    out["matches_authorisation"] = false;
  }
  return out;
}

}  // namespace

Wallet Wallet::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw WalletError("unreadable", "cannot read the wallet file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw WalletError("unreadable", "cannot read the wallet file " + file.string());
  return parse(ss.str(), file.string());
}

Wallet Wallet::parse(const std::string& json_text, const std::string& origin) {
  using value_t = nlohmann::json::value_t;
  nlohmann::json j;
  try {
    j = protocol::read_json(json_text);
  } catch (const protocol::JsonInputError& e) {
    throw WalletError("malformed", origin + " is not a JSON wallet file (" + e.code() + ")");
  }
  // value() would throw type_error for a "format" that is not a string, outside
  // the try below (found by fuzz_wallet_file): test the type first.
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>() != kFormat) {
    throw WalletError("malformed", origin + " is not a " + std::string(kFormat) + " wallet file");
  }
  Wallet w;
  try {
    w.sandbox_ = j.value("sandbox", false);
    const auto& holder = member(j, "holder", value_t::object, origin);
    w.holder_.name = text(holder, "name", origin);
    w.holder_.role = domain::holder_role_from(text(holder, "role", origin));
    w.holder_.role_label = holder.value("role_label", domain::role_label(w.holder_.role));

    const auto& license = member(j, "license", value_t::object, origin);
    w.license_serial_ = text(license, "serial", origin);
    w.face_info_json_ = member(license, "face_info", value_t::object, origin);
    w.face_info_ = domain::face_info_from_json(w.face_info_json_);

    w.certificate_ = trust::Certificate::from_pem(text(j, "certificate", origin));
    for (const auto& pem : member(j, "chain", value_t::array, origin)) {
      if (!pem.is_string()) throw WalletError("malformed", origin + ": the chain must hold PEM strings");
      w.chain_.push_back(trust::Certificate::from_pem(pem.get<std::string>()));
    }
    w.encrypted_key_pem_ = text(j, "private_key", origin);
    w.authorisation_ = domain::authorisation_from_json(member(j, "authorisation", value_t::object, origin));
    w.grant_ = j.contains("grant") ? j.at("grant") : nlohmann::json(nullptr);

    for (const auto& s : member(j, "seals", value_t::array, origin)) {
      WalletSeal seal;
      seal.es_id = text(s, "es_id", origin);
      seal.type = text(s, "type", origin);
      seal.type_label = s.value("type_label", std::string());
      seal.name = text(s, "name", origin);
      seal.authorised = s.value("authorised", false);
      seal.der = trust::base64_decode(text(s, "seal", origin));
      w.seals_.push_back(std::move(seal));
    }
  } catch (const trust::TrustError& e) {
    throw WalletError("malformed", origin + ": " + e.what());
  } catch (const std::invalid_argument& e) {  // the domain's parsers
    throw WalletError("malformed", origin + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw WalletError("malformed", origin + ": " + e.what());
  }
  if (w.certificate_.serial_hex() != w.license_serial_) {
    throw WalletError("malformed", origin + ": the license serial is not the certificate's serial");
  }
  return w;
}

void Wallet::unlock(std::string_view password) {
  trust::Sm2Key key;
  try {
    key = trust::Sm2Key::from_pem(encrypted_key_pem_, password);
  } catch (const trust::TrustError& e) {
    if (e.code() == "bad_password") throw WalletError("wrong_password", "wrong license password");
    throw WalletError("malformed", std::string("the wallet's private key cannot be read: ") + e.what());
  }
  if (!key.has_private() || key.public_der() != certificate_.public_key().public_der()) {
    throw WalletError("malformed", "the wallet's private key does not belong to its certificate");
  }
  key_ = std::move(key);
}

const WalletSeal* Wallet::authorised_seal(std::string_view type) const {
  for (const auto& s : seals_) {
    if (s.type == type && s.authorised) return &s;
  }
  return nullptr;
}

std::string Wallet::authorisation_status(std::chrono::system_clock::time_point now) const {
  // Both sides are ISO 8601 UTC in one fixed format, which sorts in time order.
  const std::string at = iso8601_utc(now);
  if (!authorisation_.valid_from.empty() && at < authorisation_.valid_from) return "not_yet_valid";
  if (!authorisation_.valid_to.empty() && at > authorisation_.valid_to) return "expired";
  return "valid";
}

trust::Bytes Wallet::sign(const trust::Bytes& message) const {
  if (!unlocked()) throw WalletError("locked", "the wallet is locked: unlock it with the license password first");
  return key_.sign(message);
}

nlohmann::json Wallet::signed_answer(const nlohmann::json& answer) const {
  nlohmann::json chain = nlohmann::json::array();
  for (const auto& c : chain_) chain.push_back(c.pem());
  return {{"answer", answer},
          {"certificate", certificate_.pem()},
          {"chain", chain},
          {"grant", grant_},
          {"signature", trust::base64_encode(sign(protocol::canonical_bytes(answer)))}};
}

nlohmann::json Wallet::describe(std::chrono::system_clock::time_point now) const {
  nlohmann::json seals = nlohmann::json::array();
  for (const auto& s : seals_) {
    seals.push_back({{"es_id", s.es_id},
                     {"type", s.type},
                     {"type_label", s.type_label},
                     {"name", s.name},
                     {"authorised", s.authorised}});
  }
  nlohmann::json authorisation = domain::to_json(authorisation_);
  authorisation["status"] = authorisation_status(now);
  nlohmann::json grant = nullptr;
  if (grant_.is_object()) grant = describe_grant(grant_, authorisation_, now);
  return nlohmann::json{
      {"sandbox", sandbox_},
      {"license",
       {{"serial", license_serial_},
        {"face_info", face_info_json_},
        {"certificate",
         {{"subject", certificate_.subject_line()},
          {"issuer", certificate_.issuer().get("CN")},
          {"not_before", iso8601_utc(certificate_.not_before())},
          {"not_after", iso8601_utc(certificate_.not_after())}}}}},
      {"holder",
       {{"name", holder_.name}, {"role", domain::to_string(holder_.role)}, {"role_label", holder_.role_label}}},
      {"authorisation", authorisation},
      {"grant", grant},
      {"seals", seals}};
}

nlohmann::json Wallet::login_answer(const nlohmann::json& request, bool approve) const {
  return {{"protocol", std::string(protocol::kWalletProtocol)},
          {"type", "login"},
          {"ticket", request.at("ticket")},
          {"nonce", request.at("nonce")},
          {"client_id", request.at("relying_party").at("client_id")},
          {"matter", request.at("matter")},
          {"answer_url", request.at("answer_url")},
          {"decision", approve ? "approve" : "reject"},
          {"license_serial", license_serial()},
          {"answered_at", protocol::rfc3339(std::chrono::system_clock::now())}};
}

}  // namespace zhaoyin::wallet
