#pragma once
// Shared by the authority service tests: a sandbox of the test's own (the
// operator commands change it), the relying-party host credential, signed
// requests, and the independent SM2 check with OpenSSL's pkeyutl.
#include <nlohmann/json.hpp>
#include <zhaoyin/authority/signed_request.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>
#include "authority_process.h"
#include "test_support.h"

namespace zhaoyin::test {

// A sandbox made by the real CLI in a folder of its own.
struct OwnSandbox {
  TempDir tmp{"zhaoyin-authority-test"};
  fs::path dir;
  nlohmann::json manifest;

  explicit OwnSandbox(const std::string& extra_arguments = {}) : dir(tmp.path() / "sandbox") {
    const auto r = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(dir.string()) + " " + extra_arguments);
    if (r.exit_code != 0) throw std::runtime_error("zhaoyin sandbox init failed: " + r.output);
    manifest = nlohmann::json::parse(read_file(dir / "sandbox.json"));
  }
  std::string path(const std::string& relative) const { return (dir / relative).string(); }
  // A holder certificate: a good one of province 42, or one revoked at init.
  std::string holder_serial(bool revoked) const {
    for (const auto& w : manifest["wallets"])
      if ((revoked || w["uscc"].get<std::string>().substr(2, 2) == "42") && w["cert_revoked"].get<bool>() == revoked)
        return w["cert_serial"];
    return {};
  }
  std::string operator_command(const std::string& arguments) const {
    const auto r = run_command(quote(bin("zhaoyin")) + " authority " + arguments);
    if (r.exit_code != 0) throw std::runtime_error("zhaoyin authority " + arguments + " failed: " + r.output);
    return r.output;
  }
};

struct HostCredential {
  trust::Certificate cert;
  trust::Sm2Key key;
};

inline HostCredential host_credential(const OwnSandbox& s) {
  return {trust::Certificate::bundle_from_pem(read_file(s.path("authority/host.pem"))).front(),
          trust::Sm2Key::from_pem(read_file(s.path("authority/host.key")))};
}

inline HttpAnswer signed_get(const AuthorityProcess& authority, const HostCredential& host, const std::string& target,
                             std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
  return http_exchange(authority.port(), "GET", target,
                       {{"Authorization", authority::sign_request(host.cert, host.key, "GET", target, "", at)}});
}

// SIGNED{...} ::= SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING, ... }
// (X.509 CRL, RFC 5280 §5.1; BasicOCSPResponse, RFC 6960 §4.2.1): the signed
// bytes and the signature, split out so a tool that is not ours checks them.
struct SignedParts {
  std::string tbs;
  std::string signature;
};
inline SignedParts split_signed(const trust::Bytes& der) {
  const auto parts = trust::der::parse(der).children();
  const auto tbs = parts.at(0).raw_bytes();
  const auto sig = parts.at(2).as_bits();
  return {std::string(tbs.begin(), tbs.end()), std::string(sig.begin(), sig.end())};
}

// OpenSSL's pkeyutl verifies SM2-with-SM3 over the raw bytes with the
// distinguishing ID given (or none): the check OpenSSL's crl and ocsp
// commands cannot make themselves (docs/AUTHORITY.md §Interoperability).
inline CommandResult openssl_sm2_verify(const fs::path& work, const std::string& signer_cert_pem,
                                        const std::string& data, const std::string& signature, bool with_id = true) {
  write_file(work / "signer.pem", signer_cert_pem);
  write_file(work / "data.bin", data);
  write_file(work / "sig.der", signature);
  const auto key = run_command("openssl x509 -in " + quote((work / "signer.pem").string()) + " -pubkey -noout > " +
                               quote((work / "signer-pub.pem").string()));
  if (key.exit_code != 0) return key;
  return run_command("openssl pkeyutl -verify -pubin -inkey " + quote((work / "signer-pub.pem").string()) +
                     " -rawin -digest sm3" + (with_id ? " -pkeyopt distid:1234567812345678" : "") + " -in " +
                     quote((work / "data.bin").string()) + " -sigfile " + quote((work / "sig.der").string()));
}

}  // namespace zhaoyin::test
