#pragma once
// The states of a wallet-facing flow and the changes allowed between them,
// declared once per flow (login/login_flow.cpp, signing/sign_flow.cpp) and
// enforced by the engine: a change is applied only from a state that
// declares it, conditionally in the store (flow_repository.h), so it happens
// at most once even with several hosts.
//
// A state with no way out is final. Every flow on the engine has "pending"
// as its first state, "scanned" after the wallet's first fetch, and the
// final states "expired" (reached on read or by the sweeper once the item's
// expiry has passed) and "cancelled" (the relying party's DELETE); its own
// answers (confirmed, rejected, signed, ...) are declared in between.
#include <string>
#include <vector>

namespace zhaoyin::flow {

// Status names the engine itself moves to.
inline constexpr const char* kPending = "pending";
inline constexpr const char* kScanned = "scanned";
inline constexpr const char* kExpired = "expired";
inline constexpr const char* kCancelled = "cancelled";

class StateMachine {
 public:
  // One declared change: to `to` from any of `from`.
  struct Change {
    std::vector<std::string> from;
    std::string to;
  };

  // Throws std::logic_error for a declaration the engine cannot run: no
  // initial state among the states, an empty `from`, or a final initial state.
  StateMachine(std::string initial, std::vector<Change> changes);

  const std::string& initial() const { return initial_; }
  // Every state named, in declaration order (the initial one first).
  const std::vector<std::string>& states() const { return states_; }
  bool known(const std::string& state) const;
  bool allows(const std::string& from, const std::string& to) const;
  // The states `to` may be reached from (the condition of the store's
  // conditional update). Throws std::logic_error when none declares it: a
  // flow asking for an undeclared change is a programming error.
  std::vector<std::string> sources(const std::string& to) const;
  // Known and without a way out.
  bool is_final(const std::string& state) const;
  // The states with a way out, in declaration order.
  std::vector<std::string> open_states() const;

 private:
  std::string initial_;
  std::vector<std::string> states_;
  std::vector<Change> changes_;
};

}  // namespace zhaoyin::flow
