#include "request_parser.h"

#include <algorithm>
#include <cctype>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::signing {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& message) { throw http::ApiError::bad_request(message); }

std::optional<std::string> optional_text(const json& j, const char* name, std::size_t max) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad(std::string(name) + " must be a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > max) bad(std::string(name) + " must be 1 to " + std::to_string(max) + " characters");
  return s;
}

double number(const json& j, const char* name, const std::string& where) {
  if (!j.contains(name) || !j[name].is_number()) bad(where + "." + name + " must be a number");
  return j[name].get<double>();
}

pdf::Placement placement_from(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where + " must be an object {page, x_mm, y_mm, width_mm, height_mm}");
  for (const auto& [key, v] : j.items())
    if (key != "page" && key != "x_mm" && key != "y_mm" && key != "width_mm" && key != "height_mm")
      bad(where + ": unknown field \"" + key + "\"");
  pdf::Placement p;
  if (!j.contains("page") || !j["page"].is_number_integer()) bad(where + ".page must be an integer (1 = first page)");
  p.page = j["page"].get<int>();
  p.x_mm = number(j, "x_mm", where);
  p.y_mm = number(j, "y_mm", where);
  p.width_mm = j.contains("width_mm") ? number(j, "width_mm", where) : 42;
  p.height_mm = j.contains("height_mm") ? number(j, "height_mm", where) : 42;
  return p;
}

std::string seal_type(const json& v, const std::string& where) {
  if (!v.is_string()) bad(where + " must be a string");
  const auto t = normalise_seal_type(v.get<std::string>());
  if (!t) bad(where + ": unknown seal type \"" + v.get<std::string>() + "\" (company, finance, contract, invoice, legal_rep)");
  return *t;
}

Bytes base64_field(const json& doc, const char* name) {
  if (!doc[name].is_string()) bad(std::string("document.") + name + " must be a base64 string");
  try {
    return trust::base64_decode(doc[name].get<std::string>());
  } catch (const trust::TrustError&) {
    bad(std::string("document.") + name + " is not base64");
  }
}

// A certificate serial as hex (any case), compared upper-case like the authority's records.
std::string upper_hex_serial(std::string serial, const std::string& where) {
  if (!std::all_of(serial.begin(), serial.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; }))
    bad(where + " must be the license certificate's serial number in hex");
  std::transform(serial.begin(), serial.end(), serial.begin(),
                 [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
  return serial;
}

void parse_seals(const json& body, SignTaskRequest& r);
void parse_placements_and_signer(const json& body, SignTaskRequest& r, bool has_parties);
void parse_parties(const json& body, SignTaskRequest& r);

}  // namespace

ParsedCreate parse_create_body(const json& body) {
  if (!body.is_object()) bad("the body must be a JSON object");
  static const std::vector<std::string> known = {"document", "seals", "placement", "placements", "signer", "matter",
                                                 "correlation_id", "callback_url", "return_url", "ttl",
                                                 "signature", "parties", "order"};
  for (const auto& [key, value] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) bad("unknown field \"" + key + "\"");
  ParsedCreate out;
  auto& r = out.request;

  if (!body.contains("document") || !body["document"].is_object()) bad("document must be an object");
  const json& doc = body["document"];
  const int kinds = int(doc.contains("pdf")) + int(doc.contains("ofd")) + int(doc.contains("data")) + int(doc.contains("json"));
  if (kinds != 1) bad("document must hold exactly one of \"pdf\", \"ofd\", \"data\" or \"json\"");
  if (doc.contains("ofd")) {  // GB/T 33190 OFD (ofd_task.h)
    r.document_kind = "ofd";
    out.document = base64_field(doc, "ofd");
  } else if (doc.contains("pdf")) {
    r.document_kind = "pdf";
    out.document = base64_field(doc, "pdf");
  } else if (doc.contains("data")) {
    r.document_kind = "data";
    out.document = base64_field(doc, "data");
  } else {
    r.document_kind = "data";
    const auto text = protocol::canonical_json(doc["json"]);
    out.document.assign(text.begin(), text.end());
  }
  r.document_name = optional_text(doc, "name", 200).value_or(r.document_kind == "data" ? "data" : "document." + r.document_kind);

  r.signature = optional_text(body, "signature", 16).value_or("seal");
  if (r.signature != "seal" && r.signature != "license") bad("signature must be \"seal\" or \"license\"");
  const bool has_parties = body.contains("parties") && !body["parties"].is_null();
  if (body.contains("order") && !body["order"].is_null() && !has_parties) bad("order applies to tasks with parties only");
  if (has_parties) {
    parse_parties(body, r);
  } else if (r.signature == "license") {
    // A license signature (电子签名) needs no seal: the requirement is the holder's own signature.
    if (body.contains("seals") && !body["seals"].is_null()) bad("a license signature (signature: \"license\") takes no seals");
    if (body.contains("placements") && !body["placements"].is_null()) bad("a license signature has no seal placements");
    r.seal_mode = "all_of";
    r.seal_types = {kLicenseSignature};
  } else {
    parse_seals(body, r);
  }
  parse_placements_and_signer(body, r, has_parties);
  r.matter = optional_text(body, "matter", 200);
  r.correlation_id = optional_text(body, "correlation_id", 200);
  r.callback_url = optional_text(body, "callback_url", 2000);
  r.return_url = optional_text(body, "return_url", 2000);
  if (body.contains("ttl") && !body["ttl"].is_null()) {
    if (!body["ttl"].is_number_integer()) bad("ttl must be an integer number of seconds");
    r.ttl = std::chrono::seconds(body["ttl"].get<long long>());
  }
  return out;
}

namespace {

void parse_seals(const json& body, SignTaskRequest& r) {
  if (!body.contains("seals") || !body["seals"].is_object()) bad("seals must be an object {mode, types}");
  const json& seals = body["seals"];
  r.seal_mode = optional_text(seals, "mode", 16).value_or("any_of");
  if (r.seal_mode != "any_of" && r.seal_mode != "all_of") bad("seals.mode must be \"any_of\" or \"all_of\"");
  if (!seals.contains("types") || !seals["types"].is_array() || seals["types"].empty())
    bad("seals.types must be a non-empty list of seal types");
  for (const auto& v : seals["types"]) {
    const auto t = seal_type(v, "seals.types[]");
    if (std::find(r.seal_types.begin(), r.seal_types.end(), t) == r.seal_types.end()) r.seal_types.push_back(t);
  }
  for (const auto& [key, v] : seals.items())
    if (key != "mode" && key != "types" && key != "es_ids") bad("seals: unknown field \"" + key + "\"");
  if (seals.contains("es_ids") && !seals["es_ids"].is_null()) {
    const json& ids = seals["es_ids"];
    if (!ids.is_array() || ids.empty() || ids.size() > 20) bad("seals.es_ids must be a list of 1 to 20 esIDs");
    for (const auto& v : ids) {
      if (!v.is_string() || v.get_ref<const std::string&>().empty() || v.get_ref<const std::string&>().size() > 64)
        bad("seals.es_ids[] must be esIDs (1 to 64 characters)");
      if (std::find(r.chosen_seals.begin(), r.chosen_seals.end(), v.get<std::string>()) == r.chosen_seals.end())
        r.chosen_seals.push_back(v.get<std::string>());
    }
  }

}

void parse_placements_and_signer(const json& body, SignTaskRequest& r, bool has_parties) {
  if (body.contains("placement") && !body["placement"].is_null()) r.placement = placement_from(body["placement"], "placement");
  if (body.contains("placements") && !body["placements"].is_null()) {
    if (!body["placements"].is_object()) bad("placements must be an object keyed by seal type");
    for (const auto& [key, p] : body["placements"].items()) {
      const auto t = seal_type(json(key), "placements key");
      r.placements[t] = placement_from(p, "placements." + key);
    }
  }
  if (body.contains("signer") && !body["signer"].is_null()) {
    if (has_parties) bad("a task with parties names its signers in parties[] (uscc, license_serial), not in signer");
    const json& signer = body["signer"];
    if (!signer.is_object()) bad("signer must be an object {uscc?, role?, license_serial?, login_session?}");
    for (const auto& [key, v] : signer.items())
      if (key != "uscc" && key != "role" && key != "license_serial" && key != "login_session")
        bad("signer: unknown field \"" + key + "\"");
    r.signer_uscc = optional_text(signer, "uscc", 18);
    r.signer_role = optional_text(signer, "role", 32);
    r.signer_serial = optional_text(signer, "license_serial", 64);
    if (r.signer_serial) {
      r.signer_serial = upper_hex_serial(*r.signer_serial, "signer.license_serial");
    }
    r.signer_login = optional_text(signer, "login_session", 64);
    if (r.signer_role && *r.signer_role != "legal_representative" && *r.signer_role != "administrator" &&
        *r.signer_role != "agent")
      bad("signer.role must be legal_representative, administrator or agent");
  }
}

void parse_parties(const json& body, SignTaskRequest& r) {
  for (const char* single : {"seals", "signature"})
    if (body.contains(single) && !body[single].is_null())
      bad(std::string("a task with parties states ") + single + " per party (parties[]." + single + ")");
  if (body.contains("placements") && !body["placements"].is_null()) bad("a task with parties places seals per party (parties[].placement)");
  r.party_order = optional_text(body, "order", 16).value_or("sequential");
  if (r.party_order != "sequential" && r.party_order != "parallel") bad("order must be \"sequential\" or \"parallel\"");
  const json& list = body["parties"];
  if (!list.is_array() || list.size() < 2 || list.size() > 10) bad("parties must be a list of 2 to 10 enterprises");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "parties[" + std::to_string(i) + "]";
    const json& p = list[i];
    if (!p.is_object()) bad(where + " must be an object {uscc, seals | signature: \"license\", license_serial?, placement?, name?}");
    for (const auto& [key, v] : p.items())
      if (key != "uscc" && key != "name" && key != "seals" && key != "signature" && key != "license_serial" && key != "placement")
        bad(where + ": unknown field \"" + key + "\"");
    Party party;
    const auto uscc = optional_text(p, "uscc", 18);
    if (!uscc || uscc->size() != 18) bad(where + ".uscc must be the enterprise's 18-character USCC");
    party.uscc = *uscc;
    for (const auto& earlier : r.parties)
      if (earlier.uscc == party.uscc) bad(where + ": enterprise " + party.uscc + " is listed twice");
    party.name = optional_text(p, "name", 200);
    party.signature = optional_text(p, "signature", 16).value_or("seal");
    if (party.signature == "license") {
      if (p.contains("seals") && !p["seals"].is_null()) bad(where + ": a license signature takes no seals");
      party.seal_types = {kLicenseSignature};
    } else if (party.signature == "seal") {
      SignTaskRequest seals_only;
      if (!p.contains("seals")) bad(where + ".seals must be an object {mode, types, es_ids?}");
      parse_seals(p, seals_only);
      party.chosen_seals = seals_only.chosen_seals;  // checked against the enterprise's seals at creation
      party.seal_mode = seals_only.seal_mode;
      party.seal_types = seals_only.seal_types;
    } else {
      bad(where + ".signature must be \"seal\" or \"license\"");
    }
    if (const auto serial = optional_text(p, "license_serial", 64)) party.signer_serial = upper_hex_serial(*serial, where + ".license_serial");
    if (p.contains("placement") && !p["placement"].is_null()) party.placement = placement_from(p["placement"], where + ".placement");
    r.parties.push_back(std::move(party));
  }
  // The task-wide view: every type some party applies.
  r.seal_mode = "all_of";
  for (const auto& party : r.parties)
    for (const auto& t : party.seal_types)
      if (std::find(r.seal_types.begin(), r.seal_types.end(), t) == r.seal_types.end()) r.seal_types.push_back(t);
}

}  // namespace

}  // namespace zhaoyin::signing
