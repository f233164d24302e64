#include <zhaoyin/app/sandbox_import.h>

#include <algorithm>

namespace zhaoyin::app {

namespace {

const std::vector<std::string> kNeeds = {"login", "presentation", "signature", "prefill", "data_interface", "other"};

bool is_two_digits(const std::string& s) {
  return s.size() == 2 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

store::Application to_application(const authority::SandboxApplication& a) {
  const std::string where = "sandbox application " + a.client_id;
  if (a.scope != "province" && a.scope != "national")
    throw std::invalid_argument(where + ": scope must be province or national, not '" + a.scope + "'");
  if (a.scope == "province" && !is_two_digits(a.province))
    throw std::invalid_argument(where + ": a province-scoped application needs a two-digit province code");
  for (const auto& need : a.needs) {
    if (std::find(kNeeds.begin(), kNeeds.end(), need) == kNeeds.end())
      throw std::invalid_argument(where + ": unknown need '" + need + "'");
  }
  if (a.annual_volume < 0 || a.peak_rate < 0)
    throw std::invalid_argument(where + ": annual_volume and peak_rate cannot be negative");

  store::Application app;
  app.client_id = a.client_id;
  app.name = a.name;
  app.department = a.department;
  app.scope = a.scope;
  app.province = a.province;
  app.needs = a.needs;
  app.channels = a.channels;
  app.matters = a.matters;
  app.annual_volume = a.annual_volume;
  app.peak_rate = a.peak_rate;
  app.redirect_uris = a.redirect_uris;
  // The demo applications' data-interface purpose (用途), as an access
  // application would declare it; audited with each data-interface call.
  if (std::find(app.needs.begin(), app.needs.end(), "data_interface") != app.needs.end())
    app.data_purpose = "沙箱演示：核验企业电子营业执照及关联证照（sandbox demo）";
  app.status = store::ApplicationStatus::Active;
  return app;
}

ImportResult import_sandbox_applications(const authority::SandboxConnector& sandbox,
                                         store::ApplicationRepository& repository) {
  const auto listed = sandbox.applications();
  std::vector<std::pair<store::Application, std::string>> apps;
  for (const auto& a : listed) apps.emplace_back(to_application(a), a.client_secret);
  ImportResult result;
  for (const auto& [app, secret] : apps) {
    if (repository.upsert(app, secret)) ++result.inserted;
    else ++result.updated;
  }
  return result;
}

std::size_t import_sandbox_bindings(const authority::SandboxConnector& sandbox,
                                   store::ExtensionBindingRepository& bindings) {
  std::size_t written = 0;
  for (const auto& a : sandbox.applications()) {
    for (const auto& [kind, names] : {std::pair{store::ExtensionKind::Plugin, a.plugins},
                                      std::pair{store::ExtensionKind::Script, a.scripts}}) {
      if (names.empty() || !bindings.names(a.client_id, kind).empty()) continue;
      bindings.set(a.client_id, kind, names);
      ++written;
    }
  }
  return written;
}

}  // namespace zhaoyin::app
