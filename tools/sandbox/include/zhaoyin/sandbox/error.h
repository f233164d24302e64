#pragma once
#include <stdexcept>
#include <string>

namespace zhaoyin::sandbox {

// A sandbox that cannot be created or read: the message says which file or
// which step, for the operator to act on.
class SandboxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace zhaoyin::sandbox
