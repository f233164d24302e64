#pragma once
#include <string>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::admin {

// Creates the sandbox's demo staff accounts listed in <sandbox>/admin/staff.json
//   {"accounts":[{"username":"operator","display_name":"…","role":"operator","password":"…"}, …]}
// that do not exist yet; never touches an existing account (a changed password
// stays changed). Returns how many it created. Throws std::runtime_error for a
// malformed file.
int import_sandbox_staff(const http::HostContext& ctx, const std::string& sandbox_dir);

}  // namespace zhaoyin::admin
