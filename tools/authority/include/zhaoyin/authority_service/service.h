#pragma once
// `zhaoyin authority serve DIR [--port N]`: the sandbox authority as its own
// network service on 127.0.0.1 (docs/AUTHORITY.md). The only process that
// reads the authority's key files while it runs.
#include <filesystem>
#include <optional>
#include <ostream>

namespace zhaoyin::authority_service {

struct ServeOptions {
  std::filesystem::path dir;
  std::optional<int> port;  // default: the port of sandbox.json's authority URL
};

// Serves until SIGTERM or SIGINT; SIGHUP reloads the files. Logs one JSON line
// per event to `log` ({"msg":"ready",...} once listening). Returns the exit code.
int serve(const ServeOptions& options, std::ostream& log);

}  // namespace zhaoyin::authority_service
