#pragma once
// The operator CLI's commands. Each returns the process exit code; usage
// mistakes throw UsageError, everything else throws and main() reports it.
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char* usage_text();

// zhaoyin sandbox init DIR [--force] [--font FILE]
int sandbox_init(const std::vector<std::string>& args);
// zhaoyin sandbox summary DIR [--port N]
int sandbox_summary(const std::vector<std::string>& args);
// zhaoyin tsa serve --sandbox DIR [--port N]
int tsa_serve(const std::vector<std::string>& args);
// zhaoyin plugins list [--dir DIR] [--json]
int plugins_list(const std::vector<std::string>& args);
// zhaoyin plugins check FILE [--json]
int plugins_check(const std::vector<std::string>& args);
// zhaoyin admin create-user --data DIR [--config FILE] --username U --role ROLE
//     [--display-name NAME] (--password-file FILE | --password-stdin)
int admin_create_user(const std::vector<std::string>& args);
// zhaoyin authority serve|revoke-license|enterprise-status|replace-seal|revoke-seal|withdraw-grant DIR ...
int authority_command(const std::string& subcommand, const std::vector<std::string>& args);
// "1".."65535" or UsageError naming --port.
int parse_port_number(const std::string& text);

}  // namespace zhaoyin::cli
