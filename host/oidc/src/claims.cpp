#include <zhaoyin/oidc/claims.h>

#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::oidc {

namespace {

constexpr std::size_t kSubjectBytes = 24;

const nlohmann::json& member(const nlohmann::json& j, const char* name, const char* where) {
  if (!j.is_object() || !j.contains(name)) throw std::invalid_argument(std::string(where) + " has no '" + name + "'");
  return j.at(name);
}

std::string text(const nlohmann::json& j, const char* name, const char* where) {
  const auto& v = member(j, name, where);
  if (!v.is_string() || v.get<std::string>().empty())
    throw std::invalid_argument(std::string(where) + "." + name + " is not a non-empty string");
  return v.get<std::string>();
}

}  // namespace

std::string subject_identifier(const std::string& uscc) {
  trust::Bytes digest = trust::sm3("zhaoyin:oidc:sub:v2|" + uscc);
  digest.resize(kSubjectBytes);
  return trust::base64url_encode(digest);
}

nlohmann::json identity_claims(const nlohmann::json& subject) {
  const auto& face = member(subject, "face_info", "subject");
  const auto& holder = member(subject, "holder", "subject");
  const std::string uscc = text(face, "uscc", "face_info");
  const std::string holder_name = text(holder, "name", "holder");
  const std::string role = text(holder, "role", "holder");

  nlohmann::json matters = nlohmann::json::array();
  if (holder.contains("authorisation") && holder["authorisation"].is_object() &&
      holder["authorisation"].contains("matters") && holder["authorisation"]["matters"].is_array())
    matters = holder["authorisation"]["matters"];
  nlohmann::json claims = {
      {"sub", subject_identifier(uscc)},
      {"uscc", uscc},
      {"name", text(face, "name", "face_info")},
      {"legal_representative", text(face, "legal_representative", "face_info")},
      {"holder",
       {{"name", holder_name},
        {"role", role},
        {"role_label", holder.value("role_label", std::string())},
        {"matters", matters}}},
  };
  if (holder.contains("authorisation") && holder["authorisation"].is_object())
    claims["holder"]["authorisation_scope"] = holder["authorisation"].value("scope", std::string());
  if (subject.contains("license_serial") && subject["license_serial"].is_string())
    claims["license_serial"] = subject["license_serial"];
  return claims;
}

}  // namespace zhaoyin::oidc
