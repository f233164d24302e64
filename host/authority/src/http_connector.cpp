#include <zhaoyin/authority/http_connector.h>

#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <zhaoyin/authority/ocsp_client.h>
#include <zhaoyin/authority/signed_request.h>
#include <zhaoyin/authority/status_answer.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/uscc.h>
#include "authority_client.h"

namespace zhaoyin::authority {

using nlohmann::json;
using Clock = std::chrono::system_clock;

namespace {

// The authority and the host may disagree on the time by this much: an answer
// whose fresh_until lies further in the past is a replay, not an answer.
constexpr std::chrono::seconds kClockSkew{60};
// The status signer changes rarely (a new serial in Authority-Signature makes
// the connector fetch it at once); it is looked at again after this long.
constexpr std::chrono::hours kSignerRecheck{1};
// Entries per cache before expired ones are dropped (then the oldest keys).
constexpr std::size_t kMaxEntries = 20000;

// A verified answer of a status or record endpoint: 200 with the document, or
// a signed 404 ("the authority has no such record").
struct Answer {
  int status = 0;
  json body;
};

template <class T>
struct Entry {
  std::shared_ptr<const T> value;
  Clock::time_point fresh_until;
};

struct CaEntry {
  std::string name;
  std::string role;
  trust::Certificate certificate;
  std::string crl_url;
};

// RFC 5280 §5.3.1 names (keyCompromise) as the sandbox reader spells them (key_compromise).
std::string snake_case(const std::string& camel) {
  std::string out;
  for (const char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string text(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_string())
    throw std::invalid_argument(std::string("\"") + key + "\" is missing or not a string");
  return j.at(key).get<std::string>();
}

HolderRecord holder_from(const json& j) {
  HolderRecord h;
  h.uscc = text(j, "uscc");
  h.name = text(j, "name");
  h.role = domain::holder_role_from(text(j, "role"));
  const auto serial = normalise_serial(text(j, "cert_serial"));
  if (!serial) throw std::invalid_argument("\"cert_serial\" is not hex");
  h.cert_serial = *serial;
  h.certificate = trust::Certificate::from_der(trust::base64_decode(text(j, "certificate")));
  if (h.certificate.serial_hex() != h.cert_serial) throw std::invalid_argument("the certificate is not " + h.cert_serial);
  h.authorisation = domain::authorisation_from_json(j.at("authorisation"));
  // A withdrawn grant is no longer in force: the holder stands without one,
  // which the verifier refuses (authorisation_superseded / missing).
  if (j.contains("grant") && j.at("grant").is_object() && j.value("grant_status", std::string()) == "active") {
    const json& g = j.at("grant");
    Grant grant;
    grant.payload = text(g, "payload");
    grant.signature = text(g, "signature");
    const auto signer = normalise_serial(text(g, "signer_cert_serial"));
    if (!signer) throw std::invalid_argument("the grant's \"signer_cert_serial\" is not hex");
    grant.signer_cert_serial = *signer;
    h.grant = std::move(grant);
  }
  return h;
}

SealRecord seal_from(const json& j) {
  SealRecord s;
  s.uscc = text(j, "uscc");
  s.es_id = text(j, "es_id");
  s.type = text(j, "type");
  s.type_label = j.value("type_label", std::string());
  s.name = text(j, "name");
  s.seal_der = trust::base64_decode(text(j, "seal"));
  if (j.contains("image") && j.at("image").is_string()) s.image_png = trust::base64_decode(j.at("image").get<std::string>());
  return s;
}

// Path keys the service accepts: letters and digits only (never '/', '?', '%').
bool plain_key(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

ClientSettings client_settings(const HttpConnectorSettings& s) {
  ClientSettings c;
  c.base_url = s.url;
  c.timeout = s.timeout;
  c.retries = s.retries;
  c.backoff = s.retry_backoff;
  c.ca_file = s.ca_file;
  return c;
}

}  // namespace

struct HttpAuthorityConnector::Impl {
  explicit Impl(HttpConnectorSettings s)
      : settings(std::move(s)),
        client(client_settings(settings), settings.host_certificate, settings.host_key) {
    if (settings.certificate_status == CertificateStatusSource::Ocsp)
      ocsp_source = std::make_shared<const OcspRevocation>(*this);
  }

  // authority.certificate_status = ocsp: the trust store's revocation source
  // (zhaoyin/trust/revocation.h). The chain check asks it about every
  // certificate below the root — the license and its issuing CA, the seal
  // maker — so the store needs no CRL. It lives as long as the connector,
  // which outlives every request (the host holds it for its lifetime).
  class OcspRevocation final : public trust::RevocationSource {
   public:
    explicit OcspRevocation(const Impl& impl) : impl_(impl) {}
    trust::RevocationVerdict check(const trust::Certificate& subject, const trust::Certificate& issuer,
                                   trust::TimePoint, bool required) const override {
      // Not required (a certificate outside the authority's CAs, checked
      // "where information exists"): the responder is not asked.
      if (!required) return {};
      const auto answer = impl_.ocsp_status(subject, issuer);  // AuthorityUnavailable passes through
      const std::string who = "'" + subject.subject_line() + "' (serial " + subject.serial_hex() + ")";
      if (answer->status.state == CertificateState::Revoked)
        return {"cert_revoked", who + " is revoked per its issuer's OCSP responder (reason " + answer->status.reason + ")"};
      if (answer->status.state == CertificateState::Unknown)
        return {"cert_status_unknown", who + " is unknown to its issuer's OCSP responder"};
      return {};
    }
    std::string describe() const override { return "its issuer's OCSP responder"; }

   private:
    const Impl& impl_;
  };

  HttpConnectorSettings settings;
  AuthorityClient client;
  std::shared_ptr<const OcspRevocation> ocsp_source;  // set with certificate_status = ocsp

  mutable std::mutex mutex;  // guards everything below
  mutable std::map<std::string, Entry<Answer>> answers;          // by request target
  mutable std::map<std::string, Entry<trust::Crl>> crls;         // by distribution point
  mutable std::map<std::string, Entry<trust::Certificate>> signers;  // "status-signer"
  mutable std::map<std::string, Entry<OcspStatus>> ocsp_answers;    // by "issuer serial/serial"
  mutable std::vector<std::shared_ptr<const void>> store_inputs;  // what `store` was built from
  mutable std::shared_ptr<const trust::TrustStore> store;
  mutable ConnectorHealth counters;
  mutable Clock::time_point last_success{};

  // ---- the cache with freshness and grace ----

  template <class T>
  void trim(std::map<std::string, Entry<T>>& map, Clock::time_point now) const {
    if (map.size() <= kMaxEntries) return;
    for (auto it = map.begin(); it != map.end();)
      it = now >= it->second.fresh_until + settings.grace ? map.erase(it) : std::next(it);
    while (map.size() > kMaxEntries) map.erase(map.begin());
  }

  template <class T, class Fetch>
  std::shared_ptr<const T> cached(std::map<std::string, Entry<T>>& map, const std::string& key, Fetch&& fetch) const {
    const auto now = Clock::now();
    std::optional<Entry<T>> stale;
    {
      std::lock_guard lock(mutex);
      if (const auto it = map.find(key); it != map.end()) {
        if (now < it->second.fresh_until) {
          ++counters.cache_hits;
          return it->second.value;
        }
        stale = it->second;
      }
    }
    try {
      Entry<T> fresh = fetch();
      std::lock_guard lock(mutex);
      map[key] = fresh;
      trim(map, now);
      return fresh.value;
    } catch (const FetchFailure& e) {
      std::lock_guard lock(mutex);
      counters.last_error = e.what();
      if (stale && now < stale->fresh_until + settings.grace) {
        ++counters.stale_answers;
        counters.state = "degraded";
        return stale->value;
      }
      ++counters.unavailable;
      counters.state = "unavailable";
      throw AuthorityUnavailable("the authority at " + settings.url + " cannot answer (" + e.what() + ")" +
                                 (stale ? "; its last answer is past its freshness and the grace period" : ""));
    }
  }

  void count_attempt(bool ok) const {
    std::lock_guard lock(mutex);
    ++counters.requests;
    if (!ok) ++counters.failures;
  }

  void note_success() const {
    std::lock_guard lock(mutex);
    counters.state = "ok";
    counters.last_error.clear();
    last_success = Clock::now();
  }

  RawAnswer get(const std::string& url_or_path, bool sign) const {
    return client.get(url_or_path, sign, [this](bool ok) { count_attempt(ok); });
  }

  // ---- the status signer ----

  std::shared_ptr<const trust::Certificate> status_signer(bool force) const {
    if (force) {
      std::lock_guard lock(mutex);
      signers.erase("status-signer");
    }
    return cached(signers, "status-signer", [this] {
      const RawAnswer raw = get("/certs/status-signer.pem", false);
      if (raw.status != 200) throw FetchFailure("bad_answer", "the status signer's certificate: HTTP " + std::to_string(raw.status));
      trust::Certificate cert;
      try {
        cert = trust::Certificate::from_pem(raw.body);
      } catch (const trust::TrustError& e) {
        throw FetchFailure("bad_signer", std::string("the status signer's certificate is malformed: ") + e.what());
      }
      const auto now = Clock::now();
      if (const auto problem = status_signer_problem(cert, settings.root, now)) throw FetchFailure("bad_signer", *problem);
      return Entry<trust::Certificate>{std::make_shared<const trust::Certificate>(cert),
                                       std::min<Clock::time_point>(cert.not_after(), now + kSignerRecheck)};
    });
  }

  // ---- verified JSON answers ----

  // GET `target`, signed; the answer must carry a valid Authority-Signature
  // and, when 200, name what was asked (`field` == `value`) and be fresh.
  // With a shared cache, another host's copy is tried first.
  std::shared_ptr<const Answer> answer(const std::string& target, const char* field, const json& value) const {
    return cached(answers, target, [&] {
      if (auto shared = from_shared(target, field, value)) return std::move(*shared);
      const RawAnswer raw = get(target, true);
      if (raw.status == 401 || raw.status == 403)
        throw FetchFailure("refused", "the authority refused this host's request for " + target + " (HTTP " +
                                          std::to_string(raw.status) + "): " + raw.body.substr(0, 300));
      if (raw.status != 200 && raw.status != 404)
        throw FetchFailure("bad_answer", "the authority answered HTTP " + std::to_string(raw.status) + " to " + target);
      Entry<Answer> entry = verified(target, field, value, raw, Clock::now());
      note_success();
      to_shared(target, raw, entry.fresh_until);
      return entry;
    });
  }

  // A 200/404 answer to `target` as received at `now`, checked: its
  // Authority-Signature, what it is about, its freshness. Throws FetchFailure.
  Entry<Answer> verified(const std::string& target, const char* field, const json& value, const RawAnswer& raw,
                         Clock::time_point now) const {
    std::shared_ptr<const trust::Certificate> signer;
    try {
      signer = status_signer(false);
      const auto named = parse_authority_signature(raw.authority_signature);
      if (named && named->signer_serial != signer->serial_hex()) signer = status_signer(true);  // a new signer
    } catch (const AuthorityUnavailable& e) {
      throw FetchFailure("bad_signer", e.what());
    }
    if (!authority_signature_valid(raw.authority_signature, raw.body, *signer))
      throw FetchFailure("bad_signature", "the answer to " + target +
                                              " carries no valid Authority-Signature of the status signer " +
                                              signer->serial_hex());
    auto a = std::make_shared<Answer>();
    a->status = raw.status;
    try {
      a->body = json::parse(raw.body);
    } catch (const json::exception&) {
      throw FetchFailure("bad_answer", "the answer to " + target + " is not JSON");
    }
    auto fresh_until = now + settings.max_freshness;
    if (a->status == 200) {
      // An empty `field`: the answer names nothing to check (the CA list).
      if (!a->body.is_object() || (*field && (!a->body.contains(field) || a->body[field] != value)))
        throw FetchFailure("bad_answer", "the answer to " + target + " is not about " + std::string(field) + " " +
                                             (value.is_string() ? value.get<std::string>() : value.dump()));
      const auto stated = parse_request_time(a->body.value("fresh_until", std::string()));
      if (!stated) throw FetchFailure("bad_answer", "the answer to " + target + " has no fresh_until");
      if (*stated + kClockSkew < now)
        throw FetchFailure("stale_answer", "the answer to " + target + " was fresh only until " +
                                               a->body.value("fresh_until", std::string()));
      fresh_until = std::min(fresh_until, *stated);
    }
    return Entry<Answer>{std::move(a), fresh_until};
  }

  // ---- the cache shared with other hosts (Redis) ----

  std::string shared_key(const std::string& target) const { return "authority:" + settings.url + target; }

  // Stored as received, with the freshness this host gave it (arrival +
  // max_freshness, capped by fresh_until): another host uses it no longer.
  void to_shared(const std::string& target, const RawAnswer& raw, Clock::time_point fresh_until) const {
    if (!settings.shared_cache) return;
    const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(fresh_until - Clock::now());
    if (ttl.count() <= 0) return;  // freshness 0: nothing to share
    const json stored = {{"status", raw.status},
                         {"body", raw.body},
                         {"signature", raw.authority_signature},
                         {"until_ms", std::chrono::duration_cast<std::chrono::milliseconds>(fresh_until.time_since_epoch()).count()}};
    settings.shared_cache->put(shared_key(target), stored.dump(), ttl);
  }

  // Another host's answer, verified here as if it had just arrived and used
  // until the freshness it was given there (or less); anything that does not
  // verify is a miss — the authority is asked.
  std::optional<Entry<Answer>> from_shared(const std::string& target, const char* field, const json& value) const {
    if (!settings.shared_cache) return std::nullopt;
    const auto text = settings.shared_cache->get(shared_key(target));
    if (!text) return std::nullopt;
    try {
      const json stored = json::parse(*text);
      RawAnswer raw;
      raw.status = stored.at("status").get<int>();
      raw.body = stored.at("body").get<std::string>();
      raw.authority_signature = stored.at("signature").get<std::string>();
      const Clock::time_point until{std::chrono::milliseconds(stored.at("until_ms").get<std::int64_t>())};
      const auto now = Clock::now();
      if (until <= now || (raw.status != 200 && raw.status != 404)) return std::nullopt;
      Entry<Answer> entry = verified(target, field, value, raw, now);
      entry.fresh_until = std::min(entry.fresh_until, until);
      std::lock_guard lock(mutex);
      ++counters.shared_hits;
      return entry;
    } catch (const std::exception&) {  // FetchFailure, malformed JSON: not usable
      return std::nullopt;
    }
  }

  // A 200 answer's document, or nullopt for a signed 404.
  std::optional<json> document(const std::string& target, const char* field, const json& value) const {
    const auto a = answer(target, field, value);
    if (a->status == 404) return std::nullopt;
    return a->body;
  }

  // ---- CRLs ----

  std::shared_ptr<const trust::Crl> crl(const std::string& url, const trust::Certificate& ca) const {
    return cached(crls, url, [&] {
      const RawAnswer raw = get(url, false);
      if (raw.status != 200) throw FetchFailure("bad_answer", "the CRL at " + url + ": HTTP " + std::to_string(raw.status));
      trust::Crl c;
      try {
        c = trust::Crl::from_der(trust::to_bytes(raw.body));
      } catch (const trust::TrustError& e) {
        throw FetchFailure("bad_answer", "the CRL at " + url + " is malformed: " + e.what());
      }
      // RFC 5280 §6.3.3 (f): the CRL must be signed by the CA it speaks for.
      if (c.issuer().attributes != ca.subject().attributes || !c.signed_by(ca))
        throw FetchFailure("bad_signature", "the CRL at " + url + " is not signed by " + ca.subject_line());
      const auto now = Clock::now();
      auto fresh_until = now + settings.max_freshness;
      if (c.has_next_update()) {
        if (c.next_update() < now) throw FetchFailure("stale_answer", "the CRL at " + url + " is past its nextUpdate");
        fresh_until = std::min(fresh_until, c.next_update());
      }
      note_success();
      return Entry<trust::Crl>{std::make_shared<const trust::Crl>(std::move(c)), fresh_until};
    });
  }

  // ---- OCSP (RFC 6960) ----

  std::shared_ptr<const OcspStatus> ocsp_status(const trust::Certificate& certificate,
                                                const trust::Certificate& issuer) const {
    return cached(ocsp_answers, issuer.serial_hex() + "/" + certificate.serial_hex(), [&] {
      // A fresh nonce every time: an answer recorded earlier cannot be replayed.
      const OcspQuery query = make_ocsp_query(certificate, issuer);
      const RawAnswer raw = get("/ocsp/" + ocsp_get_path(query.der), false);
      if (raw.status != 200)
        throw FetchFailure("bad_answer", "the OCSP responder answered HTTP " + std::to_string(raw.status) + " about " +
                                             certificate.serial_hex());
      const auto now = Clock::now();
      OcspStatus status;
      try {
        status = read_ocsp_response(trust::to_bytes(raw.body), query, certificate, issuer, now, kClockSkew);
      } catch (const OcspRefused& e) {
        throw FetchFailure("bad_answer", "the OCSP answer about " + certificate.serial_hex() + " is refused: " + e.what());
      }
      auto fresh_until = now + settings.max_freshness;
      if (status.next_update) fresh_until = std::min(fresh_until, *status.next_update);
      note_success();
      return Entry<OcspStatus>{std::make_shared<const OcspStatus>(std::move(status)), fresh_until};
    });
  }

  // The certificate's issuer among the root and the CAs the authority lists.
  std::optional<trust::Certificate> issuer_of(const trust::Certificate& certificate) const {
    if (certificate.issuer().attributes == settings.root.subject().attributes && certificate.signed_by(settings.root))
      return settings.root;
    const auto cas = answer("/v1/ca-certificates", "", "");
    if (cas->status != 200 || !cas->body.contains("certificates")) return std::nullopt;
    for (const auto& c : cas->body.at("certificates")) {
      try {
        const auto ca = trust::Certificate::from_der(trust::base64_decode(text(c, "certificate")));
        if (certificate.issuer().attributes == ca.subject().attributes && certificate.signed_by(ca)) return ca;
      } catch (const std::exception&) {
        continue;  // a malformed entry names nobody's issuer
      }
    }
    return std::nullopt;
  }

  std::shared_ptr<const trust::TrustStore> trust_store() const {
    const auto cas = answer("/v1/ca-certificates", "", "");
    if (cas->status != 200) throw AuthorityUnavailable("the authority publishes no CA certificates");
    std::vector<CaEntry> entries;
    try {
      for (const auto& c : cas->body.at("certificates")) {
        CaEntry e;
        e.name = text(c, "name");
        e.role = text(c, "role");
        e.certificate = trust::Certificate::from_der(trust::base64_decode(text(c, "certificate")));
        if (c.contains("crl_url") && c.at("crl_url").is_string()) e.crl_url = c.at("crl_url").get<std::string>();
        entries.push_back(std::move(e));
      }
    } catch (const std::exception& e) {
      throw AuthorityUnavailable(std::string("the authority's CA certificates are malformed: ") + e.what());
    }
    std::vector<std::shared_ptr<const void>> inputs = {cas};
    std::vector<std::pair<const CaEntry*, std::shared_ptr<const trust::Crl>>> with_crls;
    // With OCSP the responder answers for every certificate: no CRL is fetched.
    for (const auto& e : entries) {
      if (ocsp_source) break;
      if (e.crl_url.empty() || (e.role != "root" && e.role != "issuing_ca")) continue;
      // The root's CRL is checked against the configured root, never against
      // what the network says the root is.
      const trust::Certificate& signer = e.role == "root" ? settings.root : e.certificate;
      auto c = crl(e.crl_url, signer);
      inputs.push_back(c);
      with_crls.emplace_back(&e, std::move(c));
    }
    std::lock_guard lock(mutex);
    if (store && inputs == store_inputs) return store;
    auto t = std::make_shared<trust::TrustStore>();
    t->add_root(settings.root);
    for (const auto& e : entries)
      if (e.role == "issuing_ca") t->add_intermediate(e.certificate);  // the chain check verifies each signature
    for (const auto& [e, c] : with_crls) t->add_crl(*c);
    if (ocsp_source) t->set_revocation_source(ocsp_source);
    store = t;
    store_inputs = std::move(inputs);
    return store;
  }
};

HttpAuthorityConnector::HttpAuthorityConnector(HttpConnectorSettings settings) {
  if (settings.url.rfind("http://", 0) != 0 && settings.url.rfind("https://", 0) != 0)
    throw AuthorityError("http authority: the URL '" + settings.url + "' is not an http:// or https:// URL");
  while (!settings.url.empty() && settings.url.back() == '/') settings.url.pop_back();
  if (!settings.root.valid()) throw AuthorityError("http authority: no root certificate");
  if (!settings.host_certificate.valid() || !settings.host_key.valid() || !settings.host_key.has_private())
    throw AuthorityError("http authority: the host's certificate and key are needed to sign requests");
  if (settings.retries < 0) throw AuthorityError("http authority: retries must not be negative");
  impl_ = std::make_unique<Impl>(std::move(settings));
}

HttpAuthorityConnector::~HttpAuthorityConnector() = default;

const HttpConnectorSettings& HttpAuthorityConnector::settings() const { return impl_->settings; }

trust::TrustStore HttpAuthorityConnector::trust_store() const { return *impl_->trust_store(); }

std::optional<trust::Certificate> HttpAuthorityConnector::find_certificate(const std::string& serial_hex) const {
  const auto serial = normalise_serial(serial_hex);
  if (!serial || serial->size() > 64) return std::nullopt;
  const auto doc = impl_->document("/v1/certificates/" + *serial, "serial", *serial);
  if (!doc) return std::nullopt;
  try {
    auto cert = trust::Certificate::from_der(trust::base64_decode(text(*doc, "certificate")));
    if (cert.serial_hex() != *serial) throw std::invalid_argument("the certificate has another serial");
    return cert;
  } catch (const std::exception& e) {
    throw AuthorityUnavailable("the authority's certificate " + *serial + " is malformed: " + e.what());
  }
}

RevocationStatus HttpAuthorityConnector::revocation_status(const std::string& serial_hex) const {
  RevocationStatus status;
  const auto serial = normalise_serial(serial_hex);
  if (!serial || serial->size() > 64) return status;
  if (impl_->settings.certificate_status == CertificateStatusSource::Ocsp) {
    // The responder answers for certificates it can name by issuer and serial.
    const auto certificate = find_certificate(*serial);
    if (!certificate) return status;  // never issued: unknown
    const auto issuer = impl_->issuer_of(*certificate);
    if (!issuer) return status;
    return impl_->ocsp_status(*certificate, *issuer)->status;
  }
  const auto doc = impl_->document("/v1/licenses/" + *serial, "serial", *serial);
  if (!doc) return status;
  const std::string state = doc->value("status", std::string());
  if (state == "good") status.state = CertificateState::Good;
  if (state == "revoked") {
    status.state = CertificateState::Revoked;
    status.revoked_at = parse_request_time(doc->value("revoked_at", std::string()));
    status.reason = snake_case(doc->value("reason", std::string("unspecified")));
  }
  return status;
}

std::optional<domain::FaceInfo> HttpAuthorityConnector::find_license(const std::string& uscc) const {
  if (!plain_key(uscc, 18) || !trust::uscc_valid(uscc)) return std::nullopt;
  const auto doc = impl_->document("/v1/enterprises/" + uscc + "/license", "uscc", uscc);
  if (!doc) return std::nullopt;
  try {
    return domain::face_info_from_json(doc->at("face_info"));
  } catch (const std::exception& e) {
    throw AuthorityUnavailable("the authority's license of " + uscc + " is malformed: " + e.what());
  }
}

std::optional<HolderRecord> HttpAuthorityConnector::find_holder(const std::string& cert_serial_hex) const {
  const auto serial = normalise_serial(cert_serial_hex);
  if (!serial || serial->size() > 64) return std::nullopt;
  const auto doc = impl_->document("/v1/holders/" + *serial, "cert_serial", *serial);
  if (!doc) return std::nullopt;
  try {
    return holder_from(*doc);
  } catch (const std::exception& e) {
    throw AuthorityUnavailable("the authority's holder " + *serial + " is malformed: " + e.what());
  }
}

std::vector<HolderRecord> HttpAuthorityConnector::holders_of(const std::string& uscc) const {
  if (!plain_key(uscc, 18) || !trust::uscc_valid(uscc)) return {};
  const auto doc = impl_->document("/v1/enterprises/" + uscc + "/holders", "uscc", uscc);
  if (!doc) return {};
  std::vector<HolderRecord> out;
  try {
    for (const auto& h : doc->at("holders")) out.push_back(holder_from(h));
  } catch (const std::exception& e) {
    throw AuthorityUnavailable("the authority's holders of " + uscc + " are malformed: " + e.what());
  }
  std::stable_partition(out.begin(), out.end(),
                        [](const HolderRecord& h) { return h.role == domain::HolderRole::LegalRepresentative; });
  return out;
}

std::vector<SealRecord> HttpAuthorityConnector::seals_of(const std::string& uscc) const {
  if (!plain_key(uscc, 18) || !trust::uscc_valid(uscc)) return {};
  const auto doc = impl_->document("/v1/enterprises/" + uscc + "/seals", "uscc", uscc);
  if (!doc) return {};
  std::vector<SealRecord> out;
  try {
    for (const auto& s : doc->at("seals")) out.push_back(seal_from(s));
  } catch (const std::exception& e) {
    throw AuthorityUnavailable("the authority's seals of " + uscc + " are malformed: " + e.what());
  }
  return out;
}

std::optional<SealChangePage> HttpAuthorityConnector::seal_changes(std::int64_t since, std::size_t limit) const {
  if (since < 0) since = 0;
  limit = std::clamp<std::size_t>(limit, 1, 500);
  // Cached like every answer (by its own fresh_until, capped by
  // max_freshness_seconds): a change reaches the host within that window.
  const auto doc = impl_->document("/v1/seal-changes?since=" + std::to_string(since) + "&limit=" + std::to_string(limit),
                                   "since", json(since));
  if (!doc) return std::nullopt;  // a signed 404: this authority keeps no feed
  SealChangePage page;
  try {
    page.next = doc->at("next").get<std::int64_t>();
    page.more = doc->at("more").get<bool>();
    std::int64_t last = since;
    for (const auto& e : doc->at("events")) {
      SealChange c;
      c.seq = e.at("seq").get<std::int64_t>();
      c.event = e.at("event").get<std::string>();
      c.es_id = e.at("es_id").get<std::string>();
      c.uscc = e.at("uscc").get<std::string>();
      c.at = e.at("at").get<std::string>();
      if (c.event == "replaced") c.related = e.value("replaced_by", std::string());
      if (c.event == "new") c.related = e.value("replaces", std::string());
      // The feed's promise (docs/AUTHORITY.md): after `since`, oldest first.
      if (c.seq <= last) throw std::runtime_error("events out of order at seq " + std::to_string(c.seq));
      last = c.seq;
      page.changes.push_back(std::move(c));
    }
    if (page.changes.size() > limit || page.next != last) throw std::runtime_error("next does not follow the events");
  } catch (const std::exception& e) {
    throw AuthorityUnavailable(std::string("the authority's seal-change feed is malformed: ") + e.what());
  }
  return page;
}

std::vector<PermitRecord> HttpAuthorityConnector::permits_of(const std::string& uscc) const {
  if (!plain_key(uscc, 18) || !trust::uscc_valid(uscc)) return {};
  const auto doc = impl_->document("/v1/enterprises/" + uscc + "/permits", "uscc", uscc);
  if (!doc) return {};
  // The answer's signature was verified with the status signer the cache
  // holds; each permit's own record must verify with the same certificate.
  const auto signer = impl_->status_signer(false);
  try {
    return permits_from_answer(*doc, uscc, *signer);
  } catch (const std::exception& e) {
    throw AuthorityUnavailable("the authority's permits of " + uscc + " are malformed: " + e.what());
  }
}

std::optional<std::string> HttpAuthorityConnector::find_uscc_by_name(const std::string& name) const {
  if (name.empty() || name.size() > 300) return std::nullopt;
  std::string encoded;
  Poco::URI::encode(name, "!#$&'()*+,/:;=?@[]%", encoded);
  const auto doc = impl_->document("/v1/enterprises?name=" + encoded, "name", name);
  if (!doc) return std::nullopt;
  const std::string uscc = doc->value("uscc", std::string());
  if (!trust::uscc_valid(uscc)) throw AuthorityUnavailable("the authority named no valid USCC for the name asked");
  return uscc;
}

std::optional<RevocationStatus> HttpAuthorityConnector::live_status(const trust::Certificate& certificate,
                                                                   const trust::Certificate& issuer) const {
  if (impl_->settings.certificate_status != CertificateStatusSource::Ocsp) return std::nullopt;
  return impl_->ocsp_status(certificate, issuer)->status;
}

void HttpAuthorityConnector::reload() { impl_->trust_store(); }

ConnectorHealth HttpAuthorityConnector::health() const {
  std::lock_guard lock(impl_->mutex);
  ConnectorHealth h = impl_->counters;
  if (impl_->last_success != Clock::time_point{}) h.last_success_at = format_request_time(impl_->last_success);
  return h;
}

}  // namespace zhaoyin::authority
