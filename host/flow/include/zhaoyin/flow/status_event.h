#pragma once
// One entry of a flow item's event log: the status it reached and when
// (the <flow>_events tables; docs/FLOWS.md).
#include <chrono>
#include <string>

namespace zhaoyin::flow {

struct StatusEvent {
  std::string status;
  std::chrono::system_clock::time_point at{};
};

}  // namespace zhaoyin::flow
