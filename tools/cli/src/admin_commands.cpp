// `zhaoyin admin create-user`: makes a staff account (typically the first
// operator) in the host's store, opened as the host opens it.
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <zhaoyin/admin/staff_accounts.h>
#include <zhaoyin/app/host_config.h>
#include <zhaoyin/store/database.h>
#include "commands.h"

namespace zhaoyin::cli {

namespace {

constexpr const char* kDefaultConfigFile = "config/zhaoyin.properties";

struct CreateUserArgs {
  std::optional<std::string> data_dir;
  std::optional<std::string> config_file;
  std::string username;
  std::string display_name;
  std::string role;
  std::optional<std::string> password_file;
  bool password_stdin = false;
};

CreateUserArgs parse_create_user(const std::vector<std::string>& args) {
  CreateUserArgs p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--data") p.data_dir = value();
    else if (a == "--config") p.config_file = value();
    else if (a == "--username") p.username = value();
    else if (a == "--display-name") p.display_name = value();
    else if (a == "--role") p.role = value();
    else if (a == "--password-file") p.password_file = value();
    else if (a == "--password-stdin") p.password_stdin = true;
    else throw UsageError("unknown argument " + a + " for admin create-user");
  }
  if (p.username.empty()) throw UsageError("admin create-user needs --username");
  if (p.role.empty()) throw UsageError("admin create-user needs --role applicant|reviewer|operator");
  if (p.password_file.has_value() == p.password_stdin)
    throw UsageError("admin create-user needs exactly one of --password-file FILE and --password-stdin");
  return p;
}

// The first line, without its line ending: a password file may end with a newline.
std::string first_line(std::istream& in) {
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string read_password(const CreateUserArgs& p) {
  std::string password;
  if (p.password_stdin) {
    password = first_line(std::cin);
  } else {
    std::ifstream in(*p.password_file);
    if (!in) throw std::runtime_error("cannot read the password file " + *p.password_file);
    password = first_line(in);
  }
  if (password.size() < 8) throw std::runtime_error("the password must have at least 8 characters");
  return password;
}

// The store settings exactly as zhaoyin-host would read them: the config file
// (given, or config/zhaoyin.properties when present), then --data.
store::DatabaseSettings store_settings(const CreateUserArgs& p) {
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties;
  const std::string file = p.config_file.value_or(kDefaultConfigFile);
  if (p.config_file || std::filesystem::exists(file)) {
    try {
      properties = new Poco::Util::PropertyFileConfiguration(file);
    } catch (const Poco::Exception& e) {
      throw std::runtime_error("cannot read the configuration file " + file + ": " + e.displayText());
    }
  } else {
    properties = new Poco::Util::PropertyFileConfiguration;
  }
  std::map<std::string, std::string> sources;
  if (p.data_dir) {
    properties->setString("store.data_dir", *p.data_dir);
    sources["store.data_dir"] = "--data";
  }
  try {
    return app::load_host_config(*properties, sources).store;
  } catch (const app::ConfigError& e) {
    throw std::runtime_error(std::string("configuration: ") + e.what());
  }
}

}  // namespace

int admin_create_user(const std::vector<std::string>& args) {
  const CreateUserArgs p = parse_create_user(args);
  const auto role = admin::role_from(p.role);
  if (!role) throw UsageError("--role must be applicant, reviewer or operator, not '" + p.role + "'");
  const std::string password = read_password(p);
  store::Database db(store_settings(p));
  db.migrate();
  admin::StaffAccounts accounts(db);
  try {
    accounts.create(p.username, p.display_name, *role, password);
  } catch (const admin::StaffAccountError& e) {
    std::cerr << "zhaoyin: " << e.what() << "\n";
    return kExitFailure;
  }
  std::cout << "created the " << admin::to_string(*role) << " account '" << p.username << "' (" << db.driver()
            << " store " << (db.driver() == "sqlite" ? db.file().string() : std::string("PostgreSQL")) << ")\n";
  return kExitOk;
}

}  // namespace zhaoyin::cli
