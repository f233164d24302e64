#pragma once
// `zhaoyin authority serve DIR [--port N] [--tls-cert FILE --tls-key FILE]`:
// the sandbox authority as its own network service on 127.0.0.1
// (docs/AUTHORITY.md), over http or, with a server certificate, https. The
// only process that reads the authority's key files while it runs.
#include <filesystem>
#include <optional>
#include <ostream>

namespace zhaoyin::authority_service {

struct ServeOptions {
  std::filesystem::path dir;
  std::optional<int> port;  // default: the port of sandbox.json's authority URL
  // Both set: serve TLS (1.2 or later) with this certificate chain (PEM, the
  // server's first) and its key (PEM). An ECDSA or RSA certificate: OpenSSL
  // 3.0 offers no TLS cipher suites with SM2 certificates.
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_key;
};

// Serves until SIGTERM or SIGINT; SIGHUP reloads the files. Logs one JSON line
// per event to `log` ({"msg":"ready",...} once listening). Returns the exit code.
int serve(const ServeOptions& options, std::ostream& log);

}  // namespace zhaoyin::authority_service
