// zhaoyin: the operator CLI. Dispatches to the commands and turns exceptions
// into a message and an exit code (0 done, 1 failed, 2 usage error).
#include <iostream>
#include "commands.h"

int main(int argc, char** argv) {
  using namespace zhaoyin::cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) throw UsageError("which command?");
    const std::string& first = args[0];
    if (first == "--help" || first == "-h" || first == "help") {
      std::cout << usage_text();
      return kExitOk;
    }
    if (first == "sandbox") {
      if (args.size() < 2) throw UsageError("sandbox needs a subcommand: init or summary");
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      if (args[1] == "init") return sandbox_init(rest);
      if (args[1] == "summary") return sandbox_summary(rest);
      if (args[1] == "--help" || args[1] == "-h") {
        std::cout << usage_text();
        return kExitOk;
      }
      throw UsageError("unknown sandbox subcommand " + args[1]);
    }
    if (first == "authority") {
      if (args.size() < 2) throw UsageError("authority needs a subcommand: serve, revoke-license, enterprise-status, "
                                            "replace-seal, revoke-seal, withdraw-grant, add-permit or revoke-permit");
      return authority_command(args[1], std::vector<std::string>(args.begin() + 2, args.end()));
    }
    if (first == "tsa") {
      if (args.size() < 2 || args[1] != "serve") throw UsageError("tsa needs the subcommand serve");
      return tsa_serve(std::vector<std::string>(args.begin() + 2, args.end()));
    }
    if (first == "plugins") {
      if (args.size() < 2) throw UsageError("plugins needs a subcommand: list or check");
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      if (args[1] == "list") return plugins_list(rest);
      if (args[1] == "check") return plugins_check(rest);
      throw UsageError("unknown plugins subcommand " + args[1]);
    }
    if (first == "admin") {
      if (args.size() < 2) throw UsageError("admin needs a subcommand: create-user");
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      if (args[1] == "create-user") return admin_create_user(rest);
      throw UsageError("unknown admin subcommand " + args[1]);
    }
    throw UsageError("unknown command " + first);
  } catch (const UsageError& e) {
    std::cerr << "zhaoyin: " << e.what() << "\n\n" << usage_text();
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "zhaoyin: " << e.what() << "\n";
    return kExitFailure;
  }
}
