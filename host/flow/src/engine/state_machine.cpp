#include <zhaoyin/flow/state_machine.h>

#include <algorithm>
#include <stdexcept>

namespace zhaoyin::flow {

namespace {
bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}
void add_unique(std::vector<std::string>& list, const std::string& v) {
  if (!contains(list, v)) list.push_back(v);
}
}  // namespace

StateMachine::StateMachine(std::string initial, std::vector<Change> changes)
    : initial_(std::move(initial)), changes_(std::move(changes)) {
  states_.push_back(initial_);
  for (const auto& c : changes_) {
    if (c.from.empty() || c.to.empty()) throw std::logic_error("a flow's change needs a target and at least one source");
    for (const auto& f : c.from) add_unique(states_, f);
    add_unique(states_, c.to);
  }
  if (is_final(initial_)) throw std::logic_error("a flow's initial state " + initial_ + " has no way out");
}

bool StateMachine::known(const std::string& state) const { return contains(states_, state); }

bool StateMachine::allows(const std::string& from, const std::string& to) const {
  return std::any_of(changes_.begin(), changes_.end(),
                     [&](const Change& c) { return c.to == to && contains(c.from, from); });
}

std::vector<std::string> StateMachine::sources(const std::string& to) const {
  std::vector<std::string> out;
  for (const auto& c : changes_)
    if (c.to == to)
      for (const auto& f : c.from) add_unique(out, f);
  if (out.empty()) throw std::logic_error("no state of this flow may change to " + to);
  return out;
}

bool StateMachine::is_final(const std::string& state) const {
  if (!known(state)) return false;
  return std::none_of(changes_.begin(), changes_.end(), [&](const Change& c) { return contains(c.from, state); });
}

std::vector<std::string> StateMachine::open_states() const {
  std::vector<std::string> out;
  for (const auto& s : states_)
    if (!is_final(s)) out.push_back(s);
  return out;
}

}  // namespace zhaoyin::flow
