// `zhaoyin authority ...`: run the sandbox authority service and change the
// authority while it runs (docs/AUTHORITY.md).
#include <iostream>
#include <optional>
#include <zhaoyin/authority_service/operator.h>
#include <zhaoyin/authority_service/service.h>
#include "commands.h"

namespace zhaoyin::cli {

namespace {

struct AuthorityArgs {
  std::vector<std::string> positional;
  std::optional<std::string> port;
  std::optional<std::string> reason;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
};

AuthorityArgs parse_authority(const std::vector<std::string>& args, bool allow_port, bool allow_reason) {
  AuthorityArgs p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (allow_port && a == "--port") p.port = value();
    else if (allow_port && a == "--tls-cert") p.tls_cert = value();
    else if (allow_port && a == "--tls-key") p.tls_key = value();
    else if (allow_reason && a == "--reason") p.reason = value();
    else if (!a.empty() && a[0] == '-') throw UsageError("unknown option " + a);
    else p.positional.push_back(a);
  }
  return p;
}

void require(const AuthorityArgs& p, std::size_t n, const char* shape) {
  if (p.positional.size() != n) throw UsageError(std::string("usage: zhaoyin authority ") + shape);
}

// Unknown serials, codes and statuses are the operator's mistake, not a usage error.
template <typename F>
int run(F&& f) {
  try {
    f();
    return kExitOk;
  } catch (const std::invalid_argument& e) {
    std::cerr << "zhaoyin: " << e.what() << "\n";
    return kExitFailure;
  }
}

// add-permit DIR USCC --number N --kind K --issuer I --from YYYY-MM-DD --to YYYY-MM-DD [--scope S]
authority_service::PermitSpec parse_add_permit(const std::vector<std::string>& args, std::string& dir) {
  constexpr const char* shape =
      "add-permit DIR USCC --number N --kind K --issuer I --from YYYY-MM-DD --to YYYY-MM-DD [--scope S]";
  authority_service::PermitSpec spec;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-') {
      positional.push_back(a);
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--number") spec.number = v;
    else if (a == "--kind") spec.kind = v;
    else if (a == "--issuer") spec.issuer = v;
    else if (a == "--scope") spec.scope = v;
    else if (a == "--from") spec.valid_from = v;
    else if (a == "--to") spec.valid_to = v;
    else throw UsageError("unknown option " + a);
  }
  if (positional.size() != 2 || spec.number.empty() || spec.kind.empty() || spec.issuer.empty() ||
      spec.valid_from.empty() || spec.valid_to.empty())
    throw UsageError(std::string("usage: zhaoyin authority ") + shape);
  dir = positional[0];
  spec.uscc = positional[1];
  return spec;
}

}  // namespace

int authority_command(const std::string& sub, const std::vector<std::string>& args) {
  if (sub == "serve") {
    const auto p = parse_authority(args, true, false);
    require(p, 1, "serve DIR [--port N] [--tls-cert FILE --tls-key FILE]");
    if (p.tls_cert.has_value() != p.tls_key.has_value()) throw UsageError("--tls-cert and --tls-key go together");
    authority_service::ServeOptions options;
    options.dir = p.positional[0];
    if (p.port) options.port = parse_port_number(*p.port);
    if (p.tls_cert) options.tls_certificate = *p.tls_cert;
    if (p.tls_key) options.tls_key = *p.tls_key;
    return authority_service::serve(options, std::cout);
  }
  if (sub == "revoke-license") {
    const auto p = parse_authority(args, false, true);
    require(p, 2, "revoke-license DIR SERIAL [--reason R]");
    return run([&] {
      const auto r = authority_service::revoke_license(p.positional[0], p.positional[1], p.reason.value_or("unspecified"));
      std::cout << "revoked " << r.serial << ": CRL of CA " << r.ca << " re-issued, crlNumber " << r.crl_number << "\n";
    });
  }
  if (sub == "enterprise-status") {
    const auto p = parse_authority(args, false, false);
    require(p, 3, "enterprise-status DIR USCC 存续|吊销|注销|迁出");
    return run([&] {
      authority_service::set_enterprise_status(p.positional[0], p.positional[1], p.positional[2]);
      std::cout << "enterprise " << p.positional[1] << " is now " << p.positional[2] << "\n";
    });
  }
  if (sub == "replace-seal") {
    const auto p = parse_authority(args, false, false);
    require(p, 2, "replace-seal DIR ESID");
    return run([&] {
      const std::string code = authority_service::replace_seal(p.positional[0], p.positional[1]);
      std::cout << "seal " << p.positional[1] << " replaced by " << code << "\n";
    });
  }
  if (sub == "revoke-seal") {
    const auto p = parse_authority(args, false, false);
    require(p, 2, "revoke-seal DIR ESID");
    return run([&] {
      authority_service::revoke_seal(p.positional[0], p.positional[1]);
      std::cout << "seal " << p.positional[1] << " revoked\n";
    });
  }
  if (sub == "withdraw-grant") {
    const auto p = parse_authority(args, false, false);
    require(p, 2, "withdraw-grant DIR SERIAL");
    return run([&] {
      authority_service::withdraw_grant(p.positional[0], p.positional[1]);
      std::cout << "grant of " << p.positional[1] << " withdrawn\n";
    });
  }
  if (sub == "add-permit") {
    std::string dir;
    const auto spec = parse_add_permit(args, dir);
    return run([&] {
      authority_service::add_permit(dir, spec);
      std::cout << "permit " << spec.number << " added to " << spec.uscc << "\n";
    });
  }
  if (sub == "revoke-permit") {
    const auto p = parse_authority(args, false, false);
    require(p, 3, "revoke-permit DIR USCC NUMBER");
    return run([&] {
      authority_service::revoke_permit(p.positional[0], p.positional[1], p.positional[2]);
      std::cout << "permit " << p.positional[2] << " of " << p.positional[1] << " revoked\n";
    });
  }
  throw UsageError("unknown authority subcommand " + sub);
}

}  // namespace zhaoyin::cli
