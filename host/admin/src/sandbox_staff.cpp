#include "sandbox_staff.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <zhaoyin/admin/staff_accounts.h>

namespace zhaoyin::admin {

int import_sandbox_staff(const http::HostContext& ctx, const std::string& sandbox_dir) {
  const auto file = std::filesystem::path(sandbox_dir) / "admin" / "staff.json";
  if (!std::filesystem::exists(file)) return 0;
  std::ifstream in(file);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": not JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("accounts") || !doc["accounts"].is_array())
    throw std::runtime_error(file.string() + ": expected {\"accounts\": [...]}");
  StaffAccounts accounts(*ctx.db);
  int created = 0;
  for (const auto& a : doc["accounts"]) {
    const auto role = role_from(a.value("role", ""));
    const std::string username = a.value("username", "");
    const std::string password = a.value("password", "");
    if (!role || username.empty() || password.empty())
      throw std::runtime_error(file.string() + ": every account needs username, role (applicant|reviewer|operator) and password");
    if (accounts.create_if_missing(username, a.value("display_name", username), *role, password)) ++created;
  }
  return created;
}

}  // namespace zhaoyin::admin
