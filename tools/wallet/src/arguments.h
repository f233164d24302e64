#pragma once
// Command line of zhaoyin-wallet:
//   zhaoyin-wallet --wallet FILE --password PW <verb> [verb options]
// Options take "--name value" or "--name=value" and may stand before or after
// the verb.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::wallet {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Arguments {
  bool help = false;
  std::string wallet;
  std::optional<std::string> password;
  std::string verb;                  // show | scan | present | inbox | display-code | revoke-display-code
  // scan
  std::optional<std::string> scan_text;
  std::optional<std::string> image;
  bool approve = false;
  bool reject = false;
  std::optional<std::string> seal_type;
  // present
  std::optional<std::string> qr_file;
  // inbox; display-code and revoke-display-code (--host)
  std::optional<std::string> host_url;
  // display-code
  std::optional<std::string> label;
  std::optional<std::string> png_file;
  // revoke-display-code
  std::optional<std::string> display_code;  // the code text or its /v/ URL
  bool revoke_all = false;
};

// Throws UsageError with a message fit for the user.
Arguments parse_arguments(const std::vector<std::string>& args);

const char* usage_text();

}  // namespace zhaoyin::wallet
