// A loaded plugin at the flow points: the JSON the ABI speaks on one side,
// flow::Decision / FormFill on the other, and every way a plugin can answer
// wrongly turned into a refusal naming it.
#include <algorithm>
#include <optional>
#include <utility>

#include <zhaoyin/plugin_abi.h>
#include <zhaoyin/plugins/manager.h>

namespace zhaoyin::plugins {

namespace {

constexpr int kFailedStatus = 422;
constexpr const char* kFailedCode = "plugin_failed";

nlohmann::json event_json(const flow::FlowEvent& event) {
  return {{"point", std::string(flow::to_string(event.point))},
          {"client_id", event.client_id},
          {"application", event.application},
          {"subject", event.subject},
          {"detail", event.detail}};
}

flow::FormDefinition form_from(const nlohmann::json& f, const LoadedPlugin& plugin) {
  flow::FormDefinition form;
  form.id = f["id"];
  form.title = f["title"];
  form.department = plugin.department();
  form.source = "plugin:" + plugin.id();
  for (const auto& j : f["fields"]) {
    flow::FormField field;
    field.key = j["key"];
    field.label = j["label"];
    field.type = j.value("type", "text");
    field.required = j.value("required", false);
    field.pattern = j.value("pattern", "");
    if (j.contains("options") && j["options"].is_array())
      for (const auto& o : j["options"])
        if (o.is_string()) field.options.push_back(o);
    form.fields.push_back(std::move(field));
  }
  return form;
}

// The error text of a failed call, or why its output is unusable.
std::string failure_of(const CallResult& r) {
  if (r.status == ZHAOYIN_STATUS_ERROR) return "failed: " + (r.has_output ? r.output : std::string("no message"));
  return "returned an unknown status " + std::to_string(r.status);
}

// A value a form field may take: text (numbers are turned into text).
std::optional<nlohmann::json> field_value(const nlohmann::json& v) {
  if (v.is_string()) return v;
  if (v.is_number() || v.is_boolean()) return nlohmann::json(v.dump());
  return std::nullopt;
}

// A plugin's fill that failed, kept from fill_form (which can only answer
// true/false) until Extensions::prefill calls on_prefill of the same
// extension on the same thread for the same prefill, where it becomes the
// plugin's refusal (422 plugin_failed) instead of the generic extension_failed.
// (The FormFill is moved in between, so the prefill is known by its source,
// form and event detail, not by address.)
struct PendingFailure {
  std::string key;  // empty: none
  std::string reason;
};
thread_local PendingFailure pending_failure;

std::string prefill_key(const std::string& source, const flow::FlowEvent& event, const flow::FormFill& fill) {
  return source + "\n" + fill.form.id + "\n" + event.detail.dump();
}

}  // namespace

PluginExtension::PluginExtension(std::shared_ptr<const LoadedPlugin> plugin) : plugin_(std::move(plugin)) {
  for (const auto& f : plugin_->forms()) forms_.push_back(form_from(f, *plugin_));
}

flow::Decision PluginExtension::on_flow(const flow::FlowEvent& event) {
  if (!plugin_->has_flow_hook()) return flow::Decision::allow();
  const std::string src = source();
  const CallResult r = plugin_->on_flow(event_json(event).dump());
  if (r.status != ZHAOYIN_STATUS_OK) return flow::Decision::refuse(src, kFailedCode, failure_of(r), kFailedStatus);
  if (!r.has_output) return flow::Decision::allow();

  nlohmann::json answer;
  try {
    answer = nlohmann::json::parse(r.output);
  } catch (const std::exception&) {
    return flow::Decision::refuse(src, kFailedCode, "returned invalid JSON instead of a decision", kFailedStatus);
  }
  if (!answer.is_object() || !answer.contains("decision") || !answer["decision"].is_string())
    return flow::Decision::refuse(src, kFailedCode, "returned a decision without a \"decision\" field", kFailedStatus);
  const std::string decision = answer["decision"];
  if (decision == "refuse") {
    std::string reason = answer.contains("reason") && answer["reason"].is_string() ? answer["reason"].get<std::string>()
                                                                                   : std::string();
    if (reason.empty()) reason = "refused";
    return flow::Decision::refuse(src, "refused_by_plugin", reason, 403);
  }
  if (decision != "allow")
    return flow::Decision::refuse(src, kFailedCode, "returned an unknown decision '" + decision + "'", kFailedStatus);

  flow::Decision d = flow::Decision::allow();
  if (answer.contains("requirements")) {
    const auto& req = answer["requirements"];
    if (!req.is_object())
      return flow::Decision::refuse(src, kFailedCode, "returned requirements that are not an object", kFailedStatus);
    if (req.contains("seal_types")) {
      const auto& types = req["seal_types"];
      const bool strings = types.is_array() && std::all_of(types.begin(), types.end(), [](const auto& t) {
                             return t.is_string() && !t.template get<std::string>().empty();
                           });
      if (!strings)
        return flow::Decision::refuse(src, kFailedCode, "returned seal_types that are not a list of seal types",
                                      kFailedStatus);
    }
    d.requirements = req;
  }
  return d;
}

bool PluginExtension::fill_form(const flow::FlowEvent& event, flow::FormFill& fill) {
  pending_failure = {};
  const bool ours = std::any_of(forms_.begin(), forms_.end(), [&](const auto& f) { return f.id == fill.form.id; });
  if (!ours || !plugin_->has_fill_hook()) return false;
  const CallResult r = plugin_->fill_form(fill.form.id, event_json(event).dump());
  if (r.status == ZHAOYIN_STATUS_NOT_MINE) return false;

  auto failed = [&](std::string reason) {
    pending_failure = {prefill_key(source(), event, fill), std::move(reason)};
    return true;  // filled (with nothing): on_prefill turns it into the refusal
  };
  if (r.status != ZHAOYIN_STATUS_OK) return failed(failure_of(r));
  nlohmann::json answer;
  try {
    answer = nlohmann::json::parse(r.has_output ? r.output : std::string("null"));
  } catch (const std::exception&) {
    return failed("returned invalid JSON instead of form values");
  }
  if (!answer.is_object() || !answer.contains("values") || !answer["values"].is_object())
    return failed("returned form values without a \"values\" object");
  for (auto it = answer["values"].begin(); it != answer["values"].end(); ++it) {
    const auto v = field_value(*it);
    if (!v) return failed("returned a value for '" + it.key() + "' that is not text");
    fill.values[it.key()] = *v;
  }
  if (answer.contains("labels") && answer["labels"].is_object())
    for (auto it = answer["labels"].begin(); it != answer["labels"].end(); ++it)
      if (it->is_string() && !it->get<std::string>().empty()) fill.labels[it.key()] = *it;
  return true;
}

flow::Decision PluginExtension::on_prefill(const flow::FlowEvent& event, flow::FormFill& fill) {
  if (!pending_failure.key.empty() && pending_failure.key == prefill_key(source(), event, fill)) {
    const std::string reason = std::move(pending_failure.reason);
    pending_failure = {};
    return flow::Decision::refuse(source(), kFailedCode, reason, kFailedStatus);
  }
  // Prefill is a flow point too: the plugin's policy decides who may have
  // which of its forms filled.
  return on_flow(event);
}


}  // namespace zhaoyin::plugins
