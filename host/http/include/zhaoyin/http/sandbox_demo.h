#pragma once
// Whether the host runs the sandbox demo: the /demo/* pages, the Sandbox
// ribbon and the wallet-simulator hints on the pages.
//
// The demo needs two things: the sandbox folder (its wallets, passwords and
// staff accounts are the demo's; authority.sandbox_dir or --sandbox) and an
// authority that is that sandbox — read from its files (authority.driver =
// sandbox) or asked through its service (authority.driver = http against
// `zhaoyin authority serve`, anchored on the folder's own root). The host
// leaves settings.sandbox_dir empty when the http driver trusts another root
// (host_application.cpp), so a host on a real platform never shows it.
// docs/AUTHORITY.md, "The sandbox demo over http".
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

inline bool sandbox_demo(const HostContext& ctx) {
  return ctx.authority != nullptr && !ctx.settings.sandbox_dir.empty();
}

}  // namespace zhaoyin::http
