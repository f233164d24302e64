#include <zhaoyin/authority/permit.h>

#include <ctime>
#include <stdexcept>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::authority {

using nlohmann::json;

namespace {

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string field(const json& j, const char* key, bool required) {
  if (!j.contains(key) || j.at(key).is_null()) {
    if (required) throw std::invalid_argument(std::string("permit: \"") + key + "\" is missing");
    return {};
  }
  if (!j.at(key).is_string()) throw std::invalid_argument(std::string("permit: \"") + key + "\" is not a string");
  std::string value = j.at(key).get<std::string>();
  if (required && value.empty()) throw std::invalid_argument(std::string("permit: \"") + key + "\" is empty");
  if (utf8_length(value) > kMaxPermitText)
    throw std::invalid_argument(std::string("permit: \"") + key + "\" is longer than " + std::to_string(kMaxPermitText) +
                                " characters");
  return value;
}

// Base64 fields: the record (a few hundred bytes of JSON) and the signature
// (DER, about 100 characters), above the text bound.
std::string base64_field(const json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_string() || j.at(key).get<std::string>().empty() ||
      j.at(key).get<std::string>().size() > 8192)
    throw std::invalid_argument(std::string("permit: \"") + key + "\" is missing or malformed");
  return j.at(key).get<std::string>();
}

std::string utc_date(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[16];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &parts));
}

}  // namespace

bool is_calendar_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (const std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  const int year = std::stoi(s.substr(0, 4));
  const int month = std::stoi(s.substr(5, 2));
  const int day = std::stoi(s.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

PermitRecord permit_from_json(const json& j, const std::string& uscc) {
  if (!j.is_object()) throw std::invalid_argument("permit: not a JSON object");
  PermitRecord p;
  p.uscc = uscc;
  p.number = field(j, "number", true);
  p.kind = field(j, "kind", true);
  p.issuer = field(j, "issuer", true);
  p.scope = field(j, "scope", false);
  p.valid_from = field(j, "valid_from", true);
  p.valid_to = field(j, "valid_to", true);
  p.status = field(j, "status", true);
  p.revoked_at = field(j, "revoked_at", false);
  if (!is_calendar_date(p.valid_from) || !is_calendar_date(p.valid_to))
    throw std::invalid_argument("permit " + p.number + ": valid_from and valid_to are YYYY-MM-DD dates");
  if (p.valid_to < p.valid_from) throw std::invalid_argument("permit " + p.number + ": valid_to before valid_from");
  if (p.status != "valid" && p.status != "revoked" && p.status != "expired")
    throw std::invalid_argument("permit " + p.number + ": status is valid, revoked or expired");
  if ((p.status == "revoked") != !p.revoked_at.empty())
    throw std::invalid_argument("permit " + p.number + ": revoked_at is given exactly when revoked");
  return p;
}

json to_json(const PermitRecord& p) {
  return {{"uscc", p.uscc},
          {"number", p.number},
          {"kind", p.kind},
          {"issuer", p.issuer},
          {"scope", p.scope},
          {"valid_from", p.valid_from},
          {"valid_to", p.valid_to},
          {"status", p.status},
          {"revoked_at", p.revoked_at.empty() ? json(nullptr) : json(p.revoked_at)}};
}

std::vector<PermitRecord> permits_from_answer(const json& document, const std::string& uscc,
                                              const trust::Certificate& signer) {
  if (!document.is_object() || !document.contains("permits") || !document.at("permits").is_array())
    throw std::invalid_argument("the answer has no \"permits\" list");
  const json& items = document.at("permits");
  if (items.size() > kMaxPermitsPerEnterprise) throw std::invalid_argument("the answer lists too many permits");
  std::vector<PermitRecord> out;
  for (const auto& item : items) {
    PermitRecord p = permit_from_json(item, uscc);
    p.record = base64_field(item, "record");
    p.signature = base64_field(item, "signature");
    p.signer_serial = field(item, "signer_serial", true);
    if (p.signer_serial != signer.serial_hex())
      throw std::invalid_argument("permit " + p.number + ": signed by " + p.signer_serial + ", not the status signer");
    trust::Bytes record_bytes;
    trust::Bytes signature;
    try {
      record_bytes = trust::base64_decode(p.record);
      signature = trust::base64_decode(p.signature);
    } catch (const trust::TrustError&) {
      throw std::invalid_argument("permit " + p.number + ": record or signature is not base64");
    }
    if (!signer.public_key().verify(record_bytes, signature))
      throw std::invalid_argument("permit " + p.number + ": the record's signature does not verify");
    const json record = json::parse(record_bytes.begin(), record_bytes.end(), nullptr, false);
    if (!record.is_object() || record.value("uscc", std::string()) != uscc)
      throw std::invalid_argument("permit " + p.number + ": the record is not about " + uscc);
    if (to_json(permit_from_json(record, uscc)) != to_json(p))
      throw std::invalid_argument("permit " + p.number + ": the record states something else than the answer");
    out.push_back(std::move(p));
  }
  return out;
}

std::string permit_status_on(const std::string& stored_status, const std::string& valid_to,
                             std::chrono::system_clock::time_point today) {
  if (stored_status == "valid" && valid_to < utc_date(today)) return "expired";
  return stored_status;
}

}  // namespace zhaoyin::authority
