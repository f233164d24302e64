#include "authority_state.h"

#include <chrono>
#include <ctime>
#include <stdexcept>
#include "atomic_file.h"

namespace zhaoyin::authority_service {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "zhaoyin-authority-state/1";

std::string text(const json& object, const char* key) {
  return object.contains(key) && object.at(key).is_string() ? object.at(key).get<std::string>() : std::string();
}

}  // namespace

std::string to_string(EnterpriseStatus s) {
  switch (s) {
    case EnterpriseStatus::Active: return "active";
    case EnterpriseStatus::Revoked: return "revoked";
    case EnterpriseStatus::Cancelled: return "cancelled";
    case EnterpriseStatus::MovedOut: break;
  }
  return "moved_out";
}

std::string status_label(EnterpriseStatus s) {
  switch (s) {
    case EnterpriseStatus::Active: return "存续";
    case EnterpriseStatus::Revoked: return "吊销";
    case EnterpriseStatus::Cancelled: return "注销";
    case EnterpriseStatus::MovedOut: break;
  }
  return "迁出";
}

EnterpriseStatus enterprise_status_from(const std::string& t) {
  for (const auto s : {EnterpriseStatus::Active, EnterpriseStatus::Revoked, EnterpriseStatus::Cancelled,
                       EnterpriseStatus::MovedOut}) {
    if (t == to_string(s) || t == status_label(s)) return s;
  }
  throw std::invalid_argument("unknown enterprise status \"" + t + "\" (存续|吊销|注销|迁出 or active|revoked|cancelled|moved_out)");
}

void AuthorityState::add_seal_event(std::string event, std::string es_id, std::string uscc, std::string related,
                                    std::string at) {
  SealEvent e;
  e.seq = seal_events.empty() ? 1 : seal_events.back().seq + 1;
  e.event = std::move(event);
  e.es_id = std::move(es_id);
  e.uscc = std::move(uscc);
  e.related = std::move(related);
  e.at = std::move(at);
  seal_events.push_back(std::move(e));
}

std::filesystem::path state_file(const std::filesystem::path& dir) { return dir / "authority" / "authority-state.json"; }

AuthorityState load_state(const std::filesystem::path& dir) {
  AuthorityState state;
  const auto file = state_file(dir);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return state;
  const json doc = json::parse(read_whole_file(file), nullptr, false);
  if (!doc.is_object() || text(doc, "format") != kFormat)
    throw std::runtime_error(file.string() + ": not a " + std::string(kFormat) + " file");
  try {
    state.generation = doc.value("generation", std::int64_t{0});
    // Copies: items() of a temporary would dangle.
    const json enterprises = doc.value("enterprises", json::object());
    const json seals = doc.value("seals", json::object());
    const json grants = doc.value("grants", json::object());
    const json events = doc.value("seal_changes", json::array());
    for (const auto& [uscc, e] : enterprises.items())
      state.enterprises[uscc] = EnterpriseChange{enterprise_status_from(text(e, "status")), text(e, "changed_at")};
    for (const auto& [es_id, s] : seals.items())
      state.seals[es_id] = SealChange{text(s, "uscc"),   text(s, "type"),        text(s, "name"),
                                      text(s, "status"), text(s, "replaced_by"), text(s, "changed_at")};
    for (const auto& [serial, g] : grants.items())
      state.grants[serial] = GrantChange{text(g, "status"), text(g, "changed_at")};
    for (const auto& e : events) {
      SealEvent event{e.value("seq", std::int64_t{0}), text(e, "event"), text(e, "es_id"), text(e, "uscc"),
                      text(e, "related"), text(e, "at")};
      state.seal_events.push_back(std::move(event));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  return state;
}

void save_state(const std::filesystem::path& dir, AuthorityState& state) {
  ++state.generation;
  json enterprises = json::object();
  for (const auto& [uscc, e] : state.enterprises)
    enterprises[uscc] = {{"status", to_string(e.status)}, {"changed_at", e.changed_at}};
  json seals = json::object();
  for (const auto& [es_id, s] : state.seals)
    seals[es_id] = {{"uscc", s.uscc},     {"type", s.type},
                    {"name", s.name},     {"status", s.status},
                    {"replaced_by", s.replaced_by}, {"changed_at", s.changed_at}};
  json grants = json::object();
  for (const auto& [serial, g] : state.grants) grants[serial] = {{"status", g.status}, {"changed_at", g.changed_at}};
  json events = json::array();
  for (const auto& e : state.seal_events)
    events.push_back({{"seq", e.seq}, {"event", e.event}, {"es_id", e.es_id}, {"uscc", e.uscc},
                      {"related", e.related}, {"at", e.at}});
  const json doc = {{"format", kFormat},       {"generation", state.generation}, {"enterprises", enterprises},
                    {"seals", seals},          {"grants", grants},               {"seal_changes", events}};
  write_file_atomically(state_file(dir), doc.dump(2, ' ', false) + "\n");
}

std::string iso8601_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&t, &parts);
  char buffer[32];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts));
}

}  // namespace zhaoyin::authority_service
