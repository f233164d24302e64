#include "verification_report.h"

#include "pdf_evidence.h"
#include <algorithm>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>

namespace zhaoyin::signing {

namespace {

using nlohmann::json;

struct Indication {
  std::string indication;
  std::string sub_indication;
};

// The ETSI indication of a verify_seal_signature code.
Indication indication_of(const std::string& code) {
  if (code == "ok") return {"TOTAL_PASSED", ""};
  if (code == "data_hash_mismatch") return {"TOTAL_FAILED", "HASH_FAILURE"};
  if (code == "bad_signature") return {"TOTAL_FAILED", "SIG_CRYPTO_FAILURE"};
  if (code == "unsupported_algorithm") return {"INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"};
  if (code == "signer_not_authorised") return {"TOTAL_FAILED", "SIG_CONSTRAINTS_FAILURE"};
  if (code == "protection_range_mismatch") return {"TOTAL_FAILED", "SIG_CONSTRAINTS_FAILURE"};
  if (code == "seal_bad_signature") return {"TOTAL_FAILED", "SIG_CONSTRAINTS_FAILURE"};
  if (code == "seal_expired" || code == "seal_not_yet_valid") return {"TOTAL_FAILED", "SIG_CONSTRAINTS_FAILURE"};
  if (code == "signer_cert_revoked" || code == "seal_cert_revoked") return {"TOTAL_FAILED", "REVOKED"};
  if (code == "signer_untrusted_chain" || code == "seal_untrusted_chain" || code == "signer_not_a_ca" ||
      code == "seal_not_a_ca" || code == "signer_bad_signature")
    return {"INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"};
  if (code == "signer_cert_expired" || code == "signer_cert_not_yet_valid" || code == "seal_cert_expired" ||
      code == "seal_cert_not_yet_valid")
    return {"INDETERMINATE", "OUT_OF_BOUNDS_NO_POE"};
  if (code.find("crl_") != std::string::npos) return {"INDETERMINATE", "TRY_LATER"};
  if (code == "malformed") return {"TOTAL_FAILED", "FORMAT_FAILURE"};
  // A time-stamp that does not verify: forged or altered (RFC 3161 §2.4.2), or by a TSA not trusted.
  if (code == "timestamp_untrusted_tsa") return {"INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"};
  if (code == "timestamp_tsa_not_authorised") return {"TOTAL_FAILED", "SIG_CONSTRAINTS_FAILURE"};
  if (code == "timestamp_unsupported_algorithm") return {"INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"};
  if (code.rfind("timestamp_", 0) == 0) return {"TOTAL_FAILED", "SIG_CRYPTO_FAILURE"};
  return {"INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE"};
}

json check(const std::string& name, bool passed, const std::string& code, const std::string& detail) {
  return {{"name", name}, {"result", passed ? "passed" : "failed"}, {"code", code}, {"detail", detail}};
}

std::string seal_type_of(const authority::AuthorityConnector& authority, const std::string& uscc, const std::string& es_id) {
  for (const auto& s : authority.seals_of(uscc))
    if (s.es_id == es_id) return s.type;
  return "";
}

// GB/T 38540-2020 §7.1: propertyInfo shall at least state the signature's
// protection range. When it states one as `byterange=` (trust::
// stated_protection_range), it must be the range this verifier hashed: the
// PDF's /ByteRange, or 0,<length> for detached data. A propertyInfo in another
// maker's own form is reported as not checked.
json protection_range(const std::string& property_info, const std::vector<std::uint64_t>& hashed, bool& mismatch) {
  const auto stated = trust::stated_protection_range(property_info);
  mismatch = stated && *stated != hashed;
  return {{"stated", stated ? json(*stated) : json(nullptr)},
          {"hashed", hashed},
          {"checked", stated.has_value()},
          {"matches", stated ? json(!mismatch) : json(nullptr)}};
}

// One signature's report; `coverage` is filled by the caller for PDFs.
// `hashed_range` is the byte range `data_hash` was computed over.
// The report's "timestamp" member (seal and license signatures alike): the
// RFC 3161 token's check and the stored evidence it was validated with; null
// without a token.
json timestamp_json(const std::optional<trust::TimestampCheck>& stamp, const std::optional<SignatureEvidence>& evidence) {
  if (!stamp) return nullptr;
  json t = {{"status", stamp->ok ? "valid" : "invalid"}, {"code", stamp->code}, {"message", stamp->message}};
  if (stamp->token) {
    const auto& info = stamp->token->info;
    t["gen_time"] = protocol::rfc3339(info.gen_time);
    t["serial"] = trust::hex_encode(info.serial);
    t["policy"] = info.policy;
    t["hash_algorithm"] = info.hash_oid == trust::kOidSm3 ? "SM3" : "SHA-256";
  }
  t["tsa"] = stamp->tsa_certificate.valid() ? json(stamp->tsa_certificate.subject_line()) : json(nullptr);
  if (evidence) {
    t["evidence"] = {{"source", evidence->source},
                     {"certificates", evidence->certificates.size()},
                     {"crls", evidence->crls.size()},
                     {"captured_at", evidence->source == "store" ? json(protocol::rfc3339(evidence->captured_at)) : json(nullptr)},
                     {"used", evidence->usable()},
                     {"rejected", evidence->rejected}};
    if (evidence->source == "file") t["evidence"]["vri"] = evidence->from_vri;
  } else {
    t["evidence"] = nullptr;
  }
  return t;
}

json report(const authority::AuthorityConnector& authority, const Bytes& ses, const std::optional<Bytes>& data_hash,
            const std::vector<std::uint64_t>& hashed_range, const LongTermContext* long_term) {
  json r = {{"indication", "TOTAL_FAILED"}, {"sub_indication", "FORMAT_FAILURE"}};
  trust::ParsedSealSignature sig;
  try {
    sig = trust::parse_seal_signature(ses);
  } catch (const trust::TrustError& e) {
    r["code"] = "malformed";
    r["checks"] = json::array(
        {check("format", false, "malformed", std::string("not a GB/T 38540 or GM/T 0031 SES_Signature: ") + e.what())});
    return r;
  }
  auto trust_store = authority.trust_store();
  // A GM/T 0031 (v1) timeInfo may leave the signing time unknown: then the
  // seal and the chains are checked at the verification time, and the report says so.
  auto at = trust::seal_signature_check_time(
      sig, std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  std::string time_source = sig.time_known ? "signing_time" : "now";
  // Long-term validation: a valid RFC 3161 time-stamp over the signature value
  // (GB/T 38540-2020 §7.1) proves the signature existed at genTime; the chains
  // are then validated at genTime with the evidence stored when it was made.
  std::optional<trust::TimestampCheck> stamp;
  std::optional<SignatureEvidence> evidence;
  if (sig.timestamp) {
    stamp = trust::verify_timestamp_token(*sig.timestamp, sig.signature,
                                          long_term ? long_term->tsa_trust : trust::TrustStore{});
    if (stamp->ok) {
      at = stamp->token->info.gen_time;
      time_source = "timestamp";
      if (long_term && long_term->evidence) evidence = long_term->evidence(sig.signature, at);
      if (evidence && evidence->usable()) trust_store = evidence_trust_store(trust_store, *evidence);
    }
  }
  auto overall = trust::verify_seal_signature(sig, trust_store, data_hash, true, at);
  if (stamp && !stamp->ok && overall.ok) overall = {false, stamp->code, "the time-stamp: " + stamp->message};
  bool range_mismatch = false;
  r["protection_range"] = protection_range(sig.property_info, hashed_range, range_mismatch);
  if (overall.ok && range_mismatch) {
    overall = {false, "protection_range_mismatch",
               "propertyInfo states the protection range " + sig.property_info + ", not the bytes that were hashed"};
  }
  const auto ind = indication_of(overall.code);
  r["indication"] = ind.indication;
  r["sub_indication"] = ind.sub_indication.empty() ? json(nullptr) : json(ind.sub_indication);
  r["code"] = overall.code;
  r["message"] = overall.message;
  r["signing_time"] = sig.time_known ? json(protocol::rfc3339(sig.time)) : json(nullptr);
  r["signing_time_known"] = sig.time_known;
  r["checked_at"] = protocol::rfc3339(at);
  r["validated_at"] = {{"time", protocol::rfc3339(at)}, {"source", time_source}};
  r["timestamp"] = timestamp_json(stamp, evidence);
  if (!sig.time_known) r["signing_time_note"] = sig.time_note;
  r["property_info"] = sig.property_info;
  r["format"] = sig.version == 1 ? "GM/T 0031-2014 SES_Signature v1"
                                 : "GB/T 38540-2020 SES_Signature v" + std::to_string(sig.version);

  // Data integrity.
  const bool hash_ok = !data_hash || *data_hash == sig.data_hash;
  r["data_integrity"] = {{"signed_hash", trust::hex_encode(sig.data_hash)},
                         {"computed_hash", data_hash ? json(trust::hex_encode(*data_hash)) : json(nullptr)},
                         {"intact", hash_ok}};

  // The seal, checked on its own at the signing time.
  const auto& info = sig.seal.info;
  const auto seal_check = trust::verify_seal(sig.seal, trust_store, at);
  const bool maker_signature_ok = seal_check.code != "bad_signature" && seal_check.code != "unsupported_algorithm";
  // The signer and its enterprise, as the authority knows them.
  const auto holder = authority.find_holder(sig.signer_cert.serial_hex());
  const std::string uscc = holder ? holder->uscc : "";
  const std::string type = holder ? seal_type_of(authority, uscc, info.es_id) : "";
  r["seal"] = {{"es_id", info.es_id},
               {"name", info.name},
               {"type", type.empty() ? json(nullptr) : json(type)},
               {"type_label", type.empty() ? json(nullptr) : json(seal_type_label(type))},
               {"owner_type", info.type == trust::SealOwnerType::Person ? "person" : "organization"},
               {"version", sig.seal.version},
               {"valid_from", protocol::rfc3339(info.valid_start)},
               {"valid_to", protocol::rfc3339(info.valid_end)},
               {"valid_at_signing_time",
                sig.time_known ? json(sig.time >= info.valid_start && sig.time <= info.valid_end) : json(nullptr)},
               {"maker", {{"certificate", sig.seal.maker_cert.subject_line()},
                          {"serial", sig.seal.maker_cert.serial_hex()},
                          {"signature_valid", maker_signature_ok}}},
               {"result", seal_check.ok ? "passed" : "failed"},
               {"code", seal_check.code}};

  const auto chain = trust_store.verify(sig.signer_cert, at, true);
  const auto revocation = authority.revocation_status(sig.signer_cert.serial_hex());
  json chain_subjects = json::array();
  for (const auto& c : chain.path) chain_subjects.push_back(c.subject_line());
  r["signer"] = {{"certificate", sig.signer_cert.subject_line()},
                 {"serial", sig.signer_cert.serial_hex()},
                 {"uscc", uscc.empty() ? json(nullptr) : json(uscc)},
                 {"holder", holder ? json(holder->name) : json(nullptr)},
                 {"listed_in_seal", trust::seal_allows_signer(sig.seal, sig.signer_cert)},
                 {"chain", {{"result", chain.ok ? "passed" : "failed"}, {"code", chain.code}, {"path", chain_subjects}}},
                 {"revocation",
                  {{"status", authority::to_string(revocation.state)},
                   {"revoked_at", revocation.revoked_at ? json(protocol::rfc3339(*revocation.revoked_at)) : json(nullptr)},
                   {"reason", revocation.reason}}}};
  r["checks"] = json::array({check("format", true, "ok", "SES_Signature parses"),
                             check("signature", overall.code != "bad_signature", overall.code == "bad_signature" ? "bad_signature" : "ok",
                                   "the signer's SM2 signature over TBS_Sign"),
                             check("data_integrity", hash_ok, hash_ok ? "ok" : "data_hash_mismatch", "SM3 of the signed data"),
                             check("protection_range", !range_mismatch, range_mismatch ? "protection_range_mismatch" : "ok",
                                   "propertyInfo's stated protection range (GB/T 38540-2020 §7.1) is the hashed range"),
                             check("seal", seal_check.ok, seal_check.code, seal_check.message.empty() ? "maker signature, validity, maker chain" : seal_check.message),
                             check("signer_listed", trust::seal_allows_signer(sig.seal, sig.signer_cert),
                                   trust::seal_allows_signer(sig.seal, sig.signer_cert) ? "ok" : "signer_not_authorised",
                                   "the seal lists the signer's certificate"),
                             check("signer_chain", chain.ok, chain.code, chain.message)});
  if (stamp)
    r["checks"].push_back(check("timestamp", stamp->ok, stamp->code,
                                "RFC 3161 time-stamp over the signature value (GB/T 38540-2020 §7.1): " + stamp->message));
  return r;
}

// A license signature's report (trust/license_signature.h): who signed
// (enterprise, holder), the chain and revocation, the time-stamp; no seal.
json license_report(const authority::AuthorityConnector& authority, const Bytes& cms, const std::optional<Bytes>& data_hash,
                    const LongTermContext* long_term) {
  json r = {{"indication", "TOTAL_FAILED"}, {"sub_indication", "FORMAT_FAILURE"}, {"kind", "license"}};
  trust::ParsedLicenseSignature sig;
  try {
    sig = trust::parse_license_signature(cms);
  } catch (const trust::TrustError& e) {
    r["code"] = "malformed";
    r["checks"] = json::array({check("format", false, "malformed", std::string("not a CMS license signature: ") + e.what())});
    return r;
  }
  auto trust_store = authority.trust_store();
  auto at = sig.signing_time;
  std::string time_source = "signing_time";
  std::optional<trust::TimestampCheck> stamp;
  std::optional<SignatureEvidence> evidence;
  if (sig.timestamp) {
    stamp = trust::verify_timestamp_token(*sig.timestamp, sig.signature, long_term ? long_term->tsa_trust : trust::TrustStore{});
    if (stamp->ok) {
      at = stamp->token->info.gen_time;
      time_source = "timestamp";
      if (long_term && long_term->evidence) evidence = long_term->evidence(sig.signature, at);
      if (evidence && evidence->usable()) trust_store = evidence_trust_store(trust_store, *evidence);
    }
  }
  auto overall = trust::verify_license_signature(sig, trust_store, data_hash, at);
  if (stamp && !stamp->ok && overall.ok) overall = {false, stamp->code, "the time-stamp: " + stamp->message};
  const auto ind = indication_of(overall.code);
  r["indication"] = ind.indication;
  r["sub_indication"] = ind.sub_indication.empty() ? json(nullptr) : json(ind.sub_indication);
  r["code"] = overall.code;
  r["message"] = overall.message;
  r["format"] = "CMS SignedData (RFC 5652 / GB/T 35275), SM2 with SM3, license signature";
  r["signing_time"] = protocol::rfc3339(sig.signing_time);
  r["signing_time_known"] = true;
  r["checked_at"] = protocol::rfc3339(at);
  r["validated_at"] = {{"time", protocol::rfc3339(at)}, {"source", time_source}};
  r["timestamp"] = timestamp_json(stamp, evidence);
  const bool hash_ok = !data_hash || *data_hash == sig.message_digest;
  r["data_integrity"] = {{"signed_hash", trust::hex_encode(sig.message_digest)},
                         {"computed_hash", data_hash ? json(trust::hex_encode(*data_hash)) : json(nullptr)},
                         {"intact", hash_ok}};
  r["seal"] = nullptr;
  const auto holder = authority.find_holder(sig.signer_cert.serial_hex());
  const auto face = holder ? authority.find_license(holder->uscc) : std::nullopt;
  const auto chain = trust_store.verify(sig.signer_cert, at, true);
  const auto revocation = authority.revocation_status(sig.signer_cert.serial_hex());
  json chain_subjects = json::array();
  for (const auto& c : chain.path) chain_subjects.push_back(c.subject_line());
  r["signer"] = {{"certificate", sig.signer_cert.subject_line()},
                 {"serial", sig.signer_cert.serial_hex()},
                 {"uscc", holder ? json(holder->uscc) : json(nullptr)},
                 {"enterprise", face ? json(face->name) : json(nullptr)},
                 {"holder", holder ? json(holder->name) : json(nullptr)},
                 {"chain", {{"result", chain.ok ? "passed" : "failed"}, {"code", chain.code}, {"path", chain_subjects}}},
                 {"revocation",
                  {{"status", authority::to_string(revocation.state)},
                   {"revoked_at", revocation.revoked_at ? json(protocol::rfc3339(*revocation.revoked_at)) : json(nullptr)},
                   {"reason", revocation.reason}}}};
  const bool sig_ok = overall.code != "bad_signature";
  r["checks"] = json::array({check("format", true, "ok", "CMS SignedData parses (one signer, SM3, SM2)"),
                             check("signature", sig_ok, sig_ok ? "ok" : "bad_signature",
                                   "the holder's SM2 signature over the signed attributes"),
                             check("data_integrity", hash_ok, hash_ok ? "ok" : "data_hash_mismatch",
                                   "SM3 of the signed data is the messageDigest"),
                             check("signer_chain", chain.ok, chain.code, chain.message)});
  if (stamp)
    r["checks"].push_back(check("timestamp", stamp->ok, stamp->code,
                                "RFC 3161 time-stamp over the signature value (RFC 3161 Appendix A): " + stamp->message));
  return r;
}

json summary(const json& signatures) {
  std::size_t passed = 0;
  for (const auto& s : signatures)
    if (s["indication"] == "TOTAL_PASSED") ++passed;
  return {{"signatures", signatures.size()}, {"passed", passed}};
}

}  // namespace

json verify_pdf(const authority::AuthorityConnector& authority, const Bytes& pdf_bytes, const LongTermContext* long_term) {
  const auto found = pdf::find_signatures(pdf_bytes);
  // The revisions after a signature are acceptable when each was a later
  // signature or added only validation data (a /DSS update); anything else
  // after the last signature's revision is an unsigned change.
  std::size_t last_signed = 0;
  for (const auto& s : found) last_signed = std::max(last_signed, s.signed_length);
  const bool unsigned_tail = !found.empty() && !pdf::unsigned_revisions_after(pdf_bytes, found, last_signed).empty();
  // The evidence in the file (pdf_evidence.h): used in place of the host's
  // stored evidence when any of it verifies.
  const auto dss = pdf::read_validation_data(pdf_bytes);
  json list = json::array();
  for (const auto& s : found) {
    LongTermContext with_file;
    if (long_term && dss.present) {
      with_file.tsa_trust = long_term->tsa_trust;
      with_file.evidence = [&, key = s.vri_key](const Bytes& value, TimePoint at) -> std::optional<SignatureEvidence> {
        auto in_file = evidence_in_file(authority.trust_store(), long_term->tsa_trust, dss, key, at);
        if (in_file.usable()) return in_file;
        auto stored = long_term->evidence ? long_term->evidence(value, at) : std::nullopt;
        if (!stored) return in_file.rejected.empty() ? std::nullopt : std::optional<SignatureEvidence>(in_file);
        stored->rejected = in_file.rejected;
        return stored;
      };
    }
    const LongTermContext* context = long_term && dss.present ? &with_file : long_term;
    json r;
    if (s.sub_filter == "/adbe.pkcs7.detached" && trust::looks_like_cms(s.contents)) {
      r = license_report(authority, s.contents, s.digest, context);
    } else if (s.sub_filter.find("GBT38540") == std::string::npos && s.filter.find("Zhaoyin") == std::string::npos) {
      r = {{"indication", "INDETERMINATE"}, {"sub_indication", "FORMAT_FAILURE"}, {"code", "unsupported_format"},
           {"message", "not a GB/T 38540 seal signature (" + s.filter + " " + s.sub_filter + ")"}};
    } else {
      r = report(authority, s.contents, s.digest,
                 {s.byte_range[0], s.byte_range[1], s.byte_range[2], s.byte_range[3]}, context);
      r["kind"] = "seal";
    }
    r["field_name"] = s.field_name;
    r["page"] = s.page == 0 ? json(nullptr) : json(s.page);
    r["byte_range"] = s.byte_range;
    // Only validation data after it (a /DSS update, ISO 32000-2 §12.8.4.3)
    // leaves the signature covering the whole document: it adds no content.
    const bool later_signature = std::any_of(found.begin(), found.end(), [&](const pdf::EmbeddedSignature& o) {
      return o.signed_length > s.signed_length;
    });
    const bool whole = s.covers_whole_file || (!later_signature && !unsigned_tail);
    std::string covers = whole ? "whole_document" : (unsigned_tail ? "revision_then_unsigned_changes" : "revision_then_later_signatures");
    r["coverage"] = {{"covers", covers},
                     {"signed_length", s.signed_length},
                     {"document_length", pdf_bytes.size()},
                     {"whole_document", whole},
                     {"changed_after_signing", !whole},
                     {"validation_data_after", !s.covers_whole_file && dss.present},
                     {"unsigned_changes_after", unsigned_tail}};
    if (unsigned_tail && r["indication"] == "TOTAL_PASSED") {
      r["indication"] = "TOTAL_FAILED";
      r["sub_indication"] = "MODIFIED_AFTER_SIGNING";
      r["code"] = "document_modified";
      r["message"] = "the document was changed after its last signature (" + std::to_string(pdf_bytes.size() - last_signed) +
                     " unsigned bytes appended)";
    }
    // An unsigned revision between this signature and a later one: someone
    // changed the document after this signer and before the next (e.g.
    // between two parties). The later signatures sign the changed bytes; this
    // one's signer never saw them.
    const auto between = pdf::unsigned_revisions_after(pdf_bytes, found, s.signed_length);
    r["coverage"]["unsigned_revisions_after"] = between;
    if (!between.empty() && r["indication"] == "TOTAL_PASSED") {
      r["indication"] = "TOTAL_FAILED";
      r["sub_indication"] = "MODIFIED_AFTER_SIGNING";
      r["code"] = "document_modified";
      r["message"] = "the document was changed after this signature by an unsigned revision ending at byte " +
                     std::to_string(between.front()) + (between.front() < last_signed ? ", before a later signature" : "");
      r["coverage"]["unsigned_changes_after"] = true;
    }
    list.push_back(r);
  }
  return {{"document", {{"kind", "pdf"}, {"sm3", trust::hex_encode(trust::sm3(pdf_bytes))}, {"length", pdf_bytes.size()}}},
          {"summary", summary(list)},
          {"signatures", list}};
}

json seal_signature_report(const authority::AuthorityConnector& authority, const Bytes& ses, const std::optional<Bytes>& data_hash,
                           const std::vector<std::uint64_t>& hashed_range, const LongTermContext* long_term) {
  return report(authority, ses, data_hash, hashed_range, long_term);
}

json license_signature_report(const authority::AuthorityConnector& authority, const Bytes& cms,
                              const std::optional<Bytes>& data_hash, const LongTermContext* long_term) {
  return license_report(authority, cms, data_hash, long_term);
}

json verify_detached(const authority::AuthorityConnector& authority, const Bytes& data, const Bytes& ses,
                     const LongTermContext* long_term) {
  json r = trust::looks_like_cms(ses) ? license_report(authority, ses, trust::sm3(data), long_term)
                                      : report(authority, ses, trust::sm3(data), {0, data.size()}, long_term);
  if (!r.contains("kind")) r["kind"] = "seal";
  r["coverage"] = {{"covers", "whole_document"}, {"whole_document", true}};
  json list = json::array({r});
  return {{"document", {{"kind", "data"}, {"sm3", trust::hex_encode(trust::sm3(data))}, {"length", data.size()}}},
          {"summary", summary(list)},
          {"signatures", list}};
}

}  // namespace zhaoyin::signing
