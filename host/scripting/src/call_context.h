#pragma once
// What one hook call sees and produces. The host API functions (zhaoyin.*)
// read the event from here and record what the script asks for (a refusal,
// seal types); nothing of it outlives the call, so a state that serves
// several calls never carries one call's data into the next through the API.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/http/log.h>

namespace zhaoyin::scripting {

// Host services a state may use; shared by every state of the engine.
struct HostServices {
  std::shared_ptr<http::JsonLog> log;                // may be null (tests)
  std::weak_ptr<flow::Extensions> extensions;        // forms.list / forms.prefill; may be empty
};

// Set while a script's zhaoyin.forms.prefill runs Extensions::prefill on
// this thread: script extensions then stand aside (no recursion into a
// script's own on_prefill, and no second state taken from a pool we hold).
inline thread_local int forms_prefill_depth = 0;

struct CallContext {
  const flow::FlowEvent* event = nullptr;
  flow::FormFill* fill = nullptr;  // on_prefill only

  // Recorded by the host API during the call.
  std::optional<std::string> refusal;          // zhaoyin.refuse / require_matter
  std::string refusal_code = "refused_by_script";
  nlohmann::json seal_types = nlohmann::json::array();
  int log_lines = 0;
  bool log_dropped_noted = false;
};

}  // namespace zhaoyin::scripting
