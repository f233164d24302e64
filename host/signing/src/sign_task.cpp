#include "sign_task.h"

#include <algorithm>

namespace zhaoyin::signing {

namespace {

using nlohmann::json;

json optional_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
std::optional<std::string> optional_string(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<std::string>();
}

json placement_json(const pdf::Placement& p) {
  return {{"page", p.page}, {"x_mm", p.x_mm}, {"y_mm", p.y_mm}, {"width_mm", p.width_mm}, {"height_mm", p.height_mm}};
}
pdf::Placement placement_from(const json& j) {
  pdf::Placement p;
  p.page = j.at("page").get<int>();
  p.x_mm = j.at("x_mm").get<double>();
  p.y_mm = j.at("y_mm").get<double>();
  p.width_mm = j.at("width_mm").get<double>();
  p.height_mm = j.at("height_mm").get<double>();
  return p;
}

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

struct TypeName {
  const char* type;
  const char* label;
};
constexpr TypeName kTypes[] = {{"company", "法定名称章"},
                               {"finance", "财务专用章"},
                               {"contract", "合同专用章"},
                               {"invoice", "发票专用章"},
                               {"legal_rep", "法定代表人章"}};

}  // namespace

std::string sign_status_label(const std::string& s) {
  if (s == "pending") return "请使用电子营业执照扫码签章 · Scan with your license wallet to sign";
  if (s == "scanned") return "已扫码，请在手机上选择印章并确认 · Choose a seal and confirm on the phone";
  if (s == "partially_signed") return "部分印章已加盖，等待其余印章 · Waiting for the remaining seals";
  if (s == "signed") return "签章完成 · Signed";
  if (s == "rejected") return "已在手机上拒绝 · Rejected on the phone";
  if (s == "expired") return "二维码已过期 · The QR code has expired";
  if (s == "cancelled") return "已取消 · Cancelled";
  return s;
}

json Party::to_json() const {
  return {{"uscc", uscc},
          {"name", optional_json(name)},
          {"signature", signature},
          {"seal_mode", seal_mode},
          {"seal_types", seal_types},
          {"license_serial", optional_json(signer_serial)},
          {"chosen_seals", chosen_seals},
          {"placement", placement ? placement_json(*placement) : json(nullptr)}};
}

Party Party::from_json(const json& j) {
  Party p;
  p.uscc = j.at("uscc").get<std::string>();
  p.name = optional_string(j, "name");
  p.signature = j.at("signature").get<std::string>();
  p.seal_mode = j.at("seal_mode").get<std::string>();
  p.seal_types = j.at("seal_types").get<std::vector<std::string>>();
  p.signer_serial = optional_string(j, "license_serial");
  if (j.contains("chosen_seals")) p.chosen_seals = j["chosen_seals"].get<std::vector<std::string>>();  // absent before it existed
  if (j.contains("placement") && !j["placement"].is_null()) p.placement = placement_from(j["placement"]);
  return p;
}

json SignTaskRequest::to_json() const {
  json per_type = json::object();
  for (const auto& [type, p] : placements) per_type[type] = placement_json(p);
  json party_list = json::array();
  for (const auto& p : parties) party_list.push_back(p.to_json());
  return {{"document_kind", document_kind},
          {"signature", signature},
          {"parties", party_list},
          {"party_order", party_order},
          {"document_name", document_name},
          {"seal_mode", seal_mode},
          {"seal_types", seal_types},
          {"required_types", required_types},
          {"chosen_seals", chosen_seals},
          {"placement", placement ? placement_json(*placement) : json(nullptr)},
          {"placements", per_type},
          {"signer_uscc", optional_json(signer_uscc)},
          {"signer_role", optional_json(signer_role)},
          {"signer_serial", optional_json(signer_serial)},
          {"signer_login", optional_json(signer_login)},
          {"matter", optional_json(matter)},
          {"correlation_id", optional_json(correlation_id)},
          {"callback_url", optional_json(callback_url)},
          {"return_url", optional_json(return_url)},
          {"ttl", ttl.count()},
          {"pages", pages},
          {"document_sm3", document_sm3}};
}

json SignTaskRequest::signer_json() const {
  json signer = json::object();
  if (signer_uscc) signer["uscc"] = *signer_uscc;
  if (signer_role) signer["role"] = *signer_role;
  if (signer_serial) signer["license_serial"] = *signer_serial;
  if (signer_login) signer["login_session"] = *signer_login;
  return signer;
}

SignTaskRequest SignTaskRequest::from_json(const json& j) {
  SignTaskRequest r;
  r.document_kind = j.at("document_kind").get<std::string>();
  r.document_name = j.at("document_name").get<std::string>();
  // Absent in tasks stored before license signatures and parties existed.
  if (j.contains("signature")) r.signature = j["signature"].get<std::string>();
  if (j.contains("parties"))
    for (const auto& p : j["parties"]) r.parties.push_back(Party::from_json(p));
  if (j.contains("party_order")) r.party_order = j["party_order"].get<std::string>();
  r.seal_mode = j.at("seal_mode").get<std::string>();
  r.seal_types = j.at("seal_types").get<std::vector<std::string>>();
  r.required_types = j.at("required_types").get<std::vector<std::string>>();
  if (j.contains("chosen_seals")) r.chosen_seals = j["chosen_seals"].get<std::vector<std::string>>();  // absent before it existed
  if (!j.at("placement").is_null()) r.placement = placement_from(j["placement"]);
  for (const auto& [type, p] : j.at("placements").items()) r.placements[type] = placement_from(p);
  r.signer_uscc = optional_string(j, "signer_uscc");
  r.signer_role = optional_string(j, "signer_role");
  r.signer_serial = optional_string(j, "signer_serial");  // absent in tasks stored before it existed
  r.signer_login = optional_string(j, "signer_login");
  r.matter = optional_string(j, "matter");
  r.correlation_id = optional_string(j, "correlation_id");
  r.callback_url = optional_string(j, "callback_url");
  r.return_url = optional_string(j, "return_url");  // absent in tasks stored before it existed
  r.ttl = std::chrono::seconds(j.at("ttl").get<long long>());
  r.pages = j.at("pages").get<int>();
  r.document_sm3 = j.at("document_sm3").get<std::string>();
  return r;
}

json SignatureMade::to_json() const {
  return {{"es_id", es_id},         {"seal_type", seal_type},     {"seal_name", seal_name},
          {"uscc", uscc},           {"holder_serial", holder_serial}, {"holder_name", holder_name},
          {"field_name", field_name}, {"signed_at", signed_at},   {"data_hash", data_hash},
          {"ses_signature", ses_signature}};
}

SignatureMade SignatureMade::from_json(const json& j) {
  SignatureMade s;
  s.es_id = j.at("es_id");
  s.seal_type = j.at("seal_type");
  s.seal_name = j.at("seal_name");
  s.uscc = j.at("uscc");
  s.holder_serial = j.at("holder_serial");
  s.holder_name = j.at("holder_name");
  s.field_name = j.at("field_name");
  s.signed_at = j.at("signed_at");
  s.data_hash = j.at("data_hash");
  s.ses_signature = j.at("ses_signature");
  return s;
}

json Preparation::to_json() const {
  return {{"id", id},
          {"es_id", es_id},
          {"seal_type", seal_type},
          {"holder_serial", holder_serial},
          {"tbs_sign", tbs_sign},
          {"signing_time", signing_time},
          {"data_hash", data_hash},
          {"property_info", property_info},
          {"byte_range", byte_range},
          {"contents_offset", contents_offset},
          {"contents_capacity", contents_capacity},
          {"field_name", field_name},
          {"expires_at", expires_at}};
}

Preparation Preparation::from_json(const json& j) {
  Preparation p;
  p.id = j.at("id");
  p.es_id = j.at("es_id");
  p.seal_type = j.at("seal_type");
  p.holder_serial = j.at("holder_serial");
  p.tbs_sign = j.at("tbs_sign");
  p.signing_time = j.at("signing_time");
  p.data_hash = j.at("data_hash");
  p.property_info = j.at("property_info");
  p.byte_range = j.at("byte_range").get<std::array<std::size_t, 4>>();
  p.contents_offset = j.at("contents_offset");
  p.contents_capacity = j.at("contents_capacity");
  p.field_name = j.at("field_name");
  p.expires_at = j.at("expires_at");
  return p;
}

std::vector<std::string> SignTask::signed_types() const {
  std::vector<std::string> out;
  for (const auto& s : signatures)
    if (!contains(out, s.seal_type)) out.push_back(s.seal_type);
  return out;
}

namespace {

// Due of one requirement set (any_of / all_of types plus the always-all-of
// `required`) given the types already signed for it.
std::vector<std::string> due_of(const std::string& mode, const std::vector<std::string>& types,
                                const std::vector<std::string>& required, const std::vector<std::string>& done) {
  std::vector<std::string> all_of = required;
  std::vector<std::string> any_of;
  if (mode == "all_of") {
    for (const auto& t : types)
      if (!contains(all_of, t)) all_of.push_back(t);
  } else {
    any_of = types;
  }
  std::vector<std::string> due;
  for (const auto& t : all_of)
    if (!contains(done, t)) due.push_back(t);
  const bool any_done = std::any_of(any_of.begin(), any_of.end(), [&](const std::string& t) { return contains(done, t); });
  if (!any_done)
    for (const auto& t : any_of)
      if (!contains(due, t) && !contains(done, t)) due.push_back(t);
  return due;
}

}  // namespace

std::optional<std::size_t> SignTask::party_of(const std::string& uscc) const {
  for (std::size_t i = 0; i < request.parties.size(); ++i)
    if (request.parties[i].uscc == uscc) return i;
  return std::nullopt;
}

std::vector<std::string> SignTask::party_due(std::size_t index) const {
  const Party& p = request.parties.at(index);
  std::vector<std::string> done;
  for (const auto& s : signatures)
    if (s.uscc == p.uscc && !contains(done, s.seal_type)) done.push_back(s.seal_type);
  // Extension-required types apply to every party that seals.
  const std::vector<std::string> required = p.signature == "seal" ? request.required_types : std::vector<std::string>{};
  return due_of(p.seal_mode, p.seal_types, required, done);
}

bool SignTask::party_done(std::size_t index) const { return party_due(index).empty(); }

bool SignTask::party_may_sign(std::size_t index) const {
  if (party_done(index)) return false;
  if (request.party_order == "parallel") return true;
  for (std::size_t i = 0; i < index; ++i)
    if (!party_done(i)) return false;
  return true;
}

std::vector<std::string> SignTask::due_for(const std::string& uscc) const {
  if (request.parties.empty()) return types_due();
  const auto i = party_of(uscc);
  if (!i || !party_may_sign(*i)) return {};
  return party_due(*i);
}

std::vector<std::string> SignTask::types_due() const {
  if (request.parties.empty()) return due_of(request.seal_mode, request.seal_types, request.required_types, signed_types());
  std::vector<std::string> due;
  for (std::size_t i = 0; i < request.parties.size(); ++i)
    if (party_may_sign(i))
      for (const auto& t : party_due(i))
        if (!contains(due, t)) due.push_back(t);
  return due;
}

bool SignTask::complete_after(const std::string& seal_type, const std::string& uscc) const {
  SignTask next = *this;
  SignatureMade s;
  s.seal_type = seal_type;
  s.uscc = uscc;
  next.signatures.push_back(s);
  if (request.parties.empty()) return next.types_due().empty();
  for (std::size_t i = 0; i < request.parties.size(); ++i)
    if (!next.party_done(i)) return false;
  return true;
}

namespace {

// Two seal areas on one page overlap (touching edges do not).
bool overlaps(const pdf::Placement& a, const pdf::Placement& b) {
  constexpr double kTouch = 0.01;
  return a.page == b.page && a.x_mm < b.x_mm + b.width_mm - kTouch && b.x_mm < a.x_mm + a.width_mm - kTouch &&
         a.y_mm < b.y_mm + b.height_mm - kTouch && b.y_mm < a.y_mm + a.height_mm - kTouch;
}

}  // namespace

pdf::Placement SignTask::placement_for(const std::string& seal_type, const std::vector<pdf::PageSize>& pages,
                                       const std::string& uscc, const std::vector<pdf::Placement>& occupied) const {
  const auto party = party_of(uscc);
  pdf::Placement p;
  const auto it = request.placements.find(seal_type);
  if (party && request.parties[*party].placement) {
    p = *request.parties[*party].placement;
  } else if (it != request.placements.end()) {
    p = it->second;
  } else if (request.placement) {
    p = *request.placement;
  } else {
    // Default: the last page, lower right, 42 mm seals side by side.
    p.page = pages.empty() ? 1 : static_cast<int>(pages.size());
    const auto& size = pages.empty() ? pdf::PageSize{210, 297} : pages.back();
    p.width_mm = p.height_mm = 42;
    p.x_mm = size.width_mm - 20 - 42;
    p.y_mm = size.height_mm - 30 - 42 - 50;
  }
  // Later seals whose spot is taken — by this party's earlier seal or another
  // party's — move left, then a row up, so impressions never cover each other.
  // A page with no free spot left that way keeps the spot asked for.
  const auto taken = [&](const pdf::Placement& at) {
    return std::any_of(occupied.begin(), occupied.end(), [&](const pdf::Placement& o) { return overlaps(at, o); });
  };
  if (!taken(p)) return p;
  const double step_x = p.width_mm + 4, step_y = p.height_mm + 4;
  for (pdf::Placement row = p; row.y_mm >= 0; row.y_mm -= step_y)
    for (pdf::Placement at = row; at.x_mm >= 0; at.x_mm -= step_x)
      if (!taken(at)) return at;
  return p;
}

std::optional<std::string> normalise_seal_type(const std::string& type_or_label) {
  for (const auto& t : kTypes)
    if (type_or_label == t.type || type_or_label == t.label) return std::string(t.type);
  return std::nullopt;
}

std::string seal_type_label(const std::string& type) {
  if (type == kLicenseSignature) return "电子营业执照签名";
  for (const auto& t : kTypes)
    if (type == t.type) return t.label;
  return type;
}

}  // namespace zhaoyin::signing
