#include <zhaoyin/flow/extensions.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace zhaoyin::flow {

namespace {

constexpr std::array<std::pair<FlowPoint, std::string_view>, 5> kPointNames = {{
    {FlowPoint::login_confirmed, "login_confirmed"},
    {FlowPoint::presentation_verified, "presentation_verified"},
    {FlowPoint::form_prefill, "form_prefill"},
    {FlowPoint::sign_task_created, "sign_task_created"},
    {FlowPoint::signature_made, "signature_made"},
}};

// An extension that throws is refused in its own name; nothing escapes.
template <typename Call>
Decision contained(const Extension& extension, Call&& call) {
  std::string source = "extension";
  try {
    source = extension.source();
    Decision d = call();
    if (!d.allowed) {
      if (d.source.empty()) d.source = source;
      if (d.code.empty()) d.code = "refused_by_extension";
      if (d.status < 400 || d.status > 499) d.status = 403;
    }
    return d;
  } catch (const std::exception& e) {
    return Decision::refuse(source, "extension_failed", std::string("failed: ") + e.what(), 422);
  } catch (...) {
    return Decision::refuse(source, "extension_failed", "failed with an unknown error", 422);
  }
}

// {"seal_types": [...]} lists are unions; other keys: the later extension wins.
void merge_requirements(nlohmann::json& into, const nlohmann::json& from) {
  if (!from.is_object()) return;
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (it->is_array() && into.contains(it.key()) && into[it.key()].is_array()) {
      for (const auto& v : *it)
        if (std::find(into[it.key()].begin(), into[it.key()].end(), v) == into[it.key()].end())
          into[it.key()].push_back(v);
    } else {
      into[it.key()] = *it;
    }
  }
}

}  // namespace

std::string_view to_string(FlowPoint point) {
  for (const auto& [p, name] : kPointNames)
    if (p == point) return name;
  return "unknown";
}

std::optional<FlowPoint> flow_point_from(std::string_view name) {
  for (const auto& [p, n] : kPointNames)
    if (n == name) return p;
  return std::nullopt;
}

Decision Decision::refuse(std::string source, std::string code, std::string reason, int status) {
  Decision d;
  d.allowed = false;
  d.status = status;
  d.code = std::move(code);
  d.reason = std::move(reason);
  d.source = std::move(source);
  return d;
}

nlohmann::json FormField::to_json() const {
  nlohmann::json j = {{"key", key}, {"label", label}, {"type", type}, {"required", required}};
  if (!pattern.empty()) j["pattern"] = pattern;
  if (!options.empty()) j["options"] = options;
  return j;
}

nlohmann::json FormDefinition::to_json() const {
  nlohmann::json f = nlohmann::json::array();
  for (const auto& field : fields) f.push_back(field.to_json());
  return {{"id", id}, {"title", title}, {"department", department}, {"source", source}, {"fields", f}};
}

void Extensions::add_source(std::shared_ptr<ExtensionSource> source) {
  std::lock_guard lock(mutex_);
  sources_.push_back(std::move(source));
}

std::vector<std::shared_ptr<ExtensionSource>> Extensions::sources() const {
  std::lock_guard lock(mutex_);
  return sources_;
}

std::vector<std::shared_ptr<Extension>> Extensions::active_for(const std::string& client_id) const {
  std::vector<std::shared_ptr<Extension>> active;
  for (const auto& s : sources()) {
    std::vector<std::shared_ptr<Extension>> more;
    try {
      more = s->active_for(client_id);
    } catch (...) {
      continue;  // a source that cannot say what is active contributes nothing
    }
    for (auto& e : more)
      if (e) active.push_back(std::move(e));
  }
  return active;
}

Decision Extensions::check(const FlowEvent& event) const {
  Decision result;
  for (const auto& e : active_for(event.client_id)) {
    Decision d = contained(*e, [&] { return e->on_flow(event); });
    if (!d.allowed) return d;
    merge_requirements(result.requirements, d.requirements);
  }
  return result;
}

std::vector<FormDefinition> Extensions::forms_for(const std::string& client_id) const {
  std::vector<FormDefinition> forms;
  for (const auto& e : active_for(client_id)) {
    try {
      for (auto& f : e->forms()) {
        if (f.source.empty()) f.source = e->source();
        const bool taken = std::any_of(forms.begin(), forms.end(), [&](const auto& g) { return g.id == f.id; });
        if (!taken) forms.push_back(std::move(f));  // the first source to define an id owns it
      }
    } catch (...) {
      // a broken extension lists no forms; its flows refuse with its name
    }
  }
  return forms;
}

PrefillOutcome Extensions::prefill(const FlowEvent& event) const {
  PrefillOutcome out;
  const std::string form_id = event.detail.value("form_id", "");
  const auto active = active_for(event.client_id);

  for (const auto& e : active) {
    std::optional<FormDefinition> definition;
    try {
      for (auto& f : e->forms())
        if (f.id == form_id) definition = std::move(f);
    } catch (...) {
    }
    if (!definition) continue;
    FormFill fill;
    fill.form = std::move(*definition);
    if (fill.form.source.empty()) fill.form.source = e->source();
    bool filled = false;
    Decision d = contained(*e, [&] {
      filled = e->fill_form(event, fill);
      return Decision::allow();
    });
    if (!d.allowed) {
      out.decision = d;
      return out;
    }
    if (!filled) continue;
    fill.filled_by.push_back(e->source());
    out.fill = std::move(fill);
    break;
  }
  if (!out.fill) return out;

  for (const auto& e : active) {
    const nlohmann::json before = out.fill->values;
    Decision d = contained(*e, [&] { return e->on_prefill(event, *out.fill); });
    if (!d.allowed) {
      out.decision = d;
      return out;
    }
    if (out.fill->values != before) out.fill->filled_by.push_back(e->source());
  }
  return out;
}

nlohmann::json Extensions::matters() const {
  std::map<std::string, nlohmann::json> by_path;
  for (const auto& s : sources()) {
    std::vector<std::shared_ptr<Extension>> all;
    try {
      all = s->all();
    } catch (...) {
      continue;
    }
    for (const auto& e : all) {
      try {
        for (const auto& m : e->matters()) {
          if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) continue;
          const std::string path = m["path"].get<std::string>();
          if (by_path.count(path)) continue;
          nlohmann::json entry = m;
          entry["source"] = e->source();
          by_path.emplace(path, std::move(entry));
        }
      } catch (...) {
      }
    }
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& [path, m] : by_path) out.push_back(std::move(m));
  return out;
}

}  // namespace zhaoyin::flow
