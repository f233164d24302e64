#pragma once
// Flow extensions: where department plugins (sdk/, host/plugins) and
// integrators' Lua scripts (scripts/, host/scripting) join the flows.
//
// The flows call one Extensions object (HostContext::extensions) at fixed flow
// points. Plugins and scripts are ExtensionSources: each says which of its
// extensions are active for a relying-party application, in order. The host
// runs the built-in source first, then plugins, then scripts; the first
// refusal stops the flow.
//
// Everything that crosses here is JSON (or plain strings), so that the plugin
// C ABI (JSON text) and Lua (tables) see the same shapes, documented below.
//
// Containment: Extensions never lets an exception from an extension escape.
// An extension that throws is turned into a refusal naming it
// (422 extension_failed) and the host keeps serving; sources are expected to
// produce their own, more precise codes (plugin_failed, script_failed, ...).
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace zhaoyin::flow {

enum class FlowPoint {
  login_confirmed,        // a holder's login answer verified, before the session is confirmed
  presentation_verified,  // a presentation code verified, before it is archived and returned
  form_prefill,           // a form filled from a verified subject, before it is returned
  sign_task_created,      // a sign task accepted from the relying party, before it is stored
  signature_made,         // a holder's seal signature verified, before the task is marked signed
};
std::string_view to_string(FlowPoint point);                      // "login_confirmed", ...
std::optional<FlowPoint> flow_point_from(std::string_view name);  // inverse; nullopt when unknown

// What an extension sees at a flow point.
//
// application: {"client_id","name","department","scope":"province"|"national","province",
//               "needs":[...],"channels":[...],"matters":[...]}
// subject:     verification::VerifiedSubject::to_json() — face_info (with "labels"), holder,
//              license_serial, checks, verified_at; null at sign_task_created (nobody has
//              scanned yet).
// detail, per point:
//   login_confirmed:       {"session_id", "matter": string|null, "channel"}
//   presentation_verified: {"matter": string|null}
//   form_prefill:          {"form_id", "subject_ref", "source": "archive"|"login_session"}
//   sign_task_created:     {"task_id", "matter": string|null,
//                           "document": {"kind": "pdf"|"data", "name", "sm3", "pages": n|null},
//                           "seals": {"mode": "any_of"|"all_of", "types": [...]},
//                           "signer": {"uscc"?: ..., "role"?: ...}}
//   signature_made:        {"task_id", "matter": string|null,
//                           "seal": {"esid", "type", "name"}, "document_sm3"}
struct FlowEvent {
  FlowPoint point = FlowPoint::login_confirmed;
  std::string client_id;
  nlohmann::json application = nlohmann::json::object();
  nlohmann::json subject;  // null or object
  nlohmann::json detail = nlohmann::json::object();
};

// What an extension answers. A refusal stops the flow: the caller gets HTTP
// `status` with {"error":{"code": code, "message": "<source>: <reason>"}}.
struct Decision {
  bool allowed = true;
  int status = 403;        // 4xx
  std::string code;        // snake_case: refused_by_plugin, refused_by_script, plugin_failed, ...
  std::string reason;      // shown to the caller (Chinese is fine)
  std::string source;      // "plugin:tax", "script:tax/etax_hall.lua", "builtin"
  // What an allowing extension adds to the flow (merged over every extension):
  //   sign_task_created: {"seal_types": [...]} — every listed seal type must also sign
  //                      (added to the task as all-of requirements)
  nlohmann::json requirements = nlohmann::json::object();

  static Decision allow() { return {}; }
  static Decision refuse(std::string source, std::string code, std::string reason, int status = 403);
};

struct FormField {
  std::string key;                   // "taxpayer_id"
  std::string label;                 // "纳税人识别号"
  std::string type = "text";         // text | textarea | date | number | select | email | phone
  bool required = false;
  std::string pattern;               // ECMAScript regular expression a value must match; "" = none
  std::vector<std::string> options;  // for select
  nlohmann::json to_json() const;
};

struct FormDefinition {
  std::string id;          // unique across sources, e.g. "generic", "tax.taxpayer_info"
  std::string title;       // "涉税信息确认"
  std::string department;  // "税务"; "" for the built-in generic form
  std::string source;      // who defines it: "builtin", "plugin:tax"
  std::vector<FormField> fields;
  nlohmann::json to_json() const;
};

// A form being filled: the defining extension fills values, then every active
// extension's on_prefill may change or add values (scripts map fields onto a
// relying party's own names this way).
struct FormFill {
  FormDefinition form;
  nlohmann::json values = nlohmann::json::object();  // key -> string
  nlohmann::json labels = nlohmann::json::object();  // key -> label when it differs from the form's
                                                     // (the face info's kind-specific labels)
  std::vector<std::string> filled_by;                // sources that filled or changed it, in order
};

// One plugin, one script, or the built-in forms. Implementations must be
// thread-safe: several requests call the same extension at once.
class Extension {
 public:
  virtual ~Extension() = default;
  virtual std::string source() const = 0;  // "plugin:<id>", "script:<path>", "builtin"

  // Policy hook at a flow point.
  virtual Decision on_flow(const FlowEvent& event) { (void)event; return Decision::allow(); }

  // Forms this extension defines, and filling one of them (event.point ==
  // form_prefill, event.subject set). Return false for a form that is not yours.
  virtual std::vector<FormDefinition> forms() const { return {}; }
  virtual bool fill_form(const FlowEvent& event, FormFill& fill) { (void)event; (void)fill; return false; }

  // Called on every active extension after the form is filled.
  virtual Decision on_prefill(const FlowEvent& event, FormFill& fill) { (void)event; (void)fill; return Decision::allow(); }

  // Matters this extension contributes to the 授权事项 tree:
  // [{"path": "电子政务/税务/发票申领", "name": "发票申领"}, ...]
  virtual nlohmann::json matters() const { return nlohmann::json::array(); }
};

// A provider of extensions: the built-in forms, the plugin manager, the script
// engine. The shared_ptrs returned keep what they point to alive (loaded): a
// reload swaps what later calls get, while a request in flight finishes on the
// extensions it already holds.
class ExtensionSource {
 public:
  virtual ~ExtensionSource() = default;
  virtual std::vector<std::shared_ptr<Extension>> active_for(const std::string& client_id) = 0;
  virtual std::vector<std::shared_ptr<Extension>> all() = 0;  // whatever the application
};

struct PrefillOutcome {
  std::optional<FormFill> fill;  // nullopt: no active extension defines this form
  Decision decision;             // a refusal from the filler or an on_prefill hook
};

class Extensions {
 public:
  // Thread-safe. Sources run in the order they were added.
  void add_source(std::shared_ptr<ExtensionSource> source);

  // Runs on_flow of every extension active for event.client_id; the first
  // refusal wins. An allowing result carries the merged requirements.
  Decision check(const FlowEvent& event) const;

  // The forms an application can prefill (built-in + its active extensions).
  std::vector<FormDefinition> forms_for(const std::string& client_id) const;

  // Fills form `event.detail["form_id"]` for the application, then runs every
  // active extension's on_prefill.
  PrefillOutcome prefill(const FlowEvent& event) const;

  // The 授权事项 tree contributed by every extension of every source:
  // [{"path","name","source"}], sorted by path, without duplicates.
  nlohmann::json matters() const;

  // Every source, in order (a copy: safe while sources are added). The
  // operator's pages find the plugin manager and the script engine here.
  std::vector<std::shared_ptr<ExtensionSource>> sources() const;

 private:
  std::vector<std::shared_ptr<Extension>> active_for(const std::string& client_id) const;

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<ExtensionSource>> sources_;
};

}  // namespace zhaoyin::flow
