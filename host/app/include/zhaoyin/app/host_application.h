#pragma once
// zhaoyin-host: the Poco ServerApplication. Reads the configuration, opens and
// migrates the store, connects the authority (importing the sandbox's demo
// applications), serves HTTP until SIGTERM/SIGINT, then stops gracefully.
// SIGHUP re-reads the department plugins and the scripts (not the settings).
//
//   zhaoyin-host [--config FILE] [--port N] [--data DIR] [--sandbox DIR] [--help]
//
// Exit codes: 0 after a clean stop or --help; 78 (EX_CONFIG) for a bad
// configuration, with one error line naming the problem.
#include <Poco/Util/ServerApplication.h>
#include <map>
#include <memory>
#include <string>
#include <zhaoyin/http/log.h>

namespace zhaoyin::app {

class HostApplication : public Poco::Util::ServerApplication {
 public:
  HostApplication();

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  int main(const std::vector<std::string>& args) override;

 private:
  void handle_help(const std::string& name, const std::string& value);
  void handle_config(const std::string& name, const std::string& value);
  void handle_override(const std::string& name, const std::string& value);

  std::shared_ptr<http::JsonLog> log_;
  bool help_requested_ = false;
  std::string config_file_;
  bool config_given_ = false;
  std::map<std::string, std::string> overrides_;  // key -> value from the command line
  std::map<std::string, std::string> sources_;    // key -> option name, for messages
  std::string set_error_;                         // a malformed --set, reported by main()
};

}  // namespace zhaoyin::app
