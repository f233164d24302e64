// TrustStore::verify: a good path, and one test per reason to refuse.
#include <catch2/catch.hpp>
#include <pki_fixture.h>
#include <test_support.h>
#include <zhaoyin/trust/chain.h>

using namespace zhaoyin::trust;
using namespace zhaoyin::test;

namespace {

// The fixture PKI with a trust store holding its root, its issuing CA and a
// current, empty CRL from each CA.
struct Verified : Pki {
  TrustStore store;
  Crl root_crl = issue_crl(root.cert, root.key, {}, now - kHour, now + 7 * kDay, 1);
  Crl ca_crl = issue_crl(ca.cert, ca.key, {}, now - kHour, now + 7 * kDay, 1);
  Verified() {
    store.add_root(root.cert);
    store.add_intermediate(ca.cert);
    store.add_crl(root_crl);
    store.add_crl(ca_crl);
  }
  Issued leaf_with(TimePoint not_before, TimePoint not_after) {
    return issue(dn("another enterprise"), CertProfile::License, &ca, not_before, not_after);
  }
};

Issued impostor_of(const Issued& real, TimePoint now) {
  return issue(real.cert.subject(), CertProfile::RootCa, nullptr, now - kHour, now + 30 * kDay);
}

}  // namespace

TEST_CASE("a leaf chains through the issuing CA to the root", "[chain]") {
  Verified v;
  const ChainResult result = v.store.verify(v.leaf.cert, v.now);
  INFO(result.message);
  CHECK(result.ok);
  CHECK(result.code == "ok");
  REQUIRE(result.path.size() == 3);
  CHECK(result.path[0].der() == v.leaf.cert.der());
  CHECK(result.path[1].der() == v.ca.cert.der());
  CHECK(result.path[2].der() == v.root.cert.der());
  CHECK(v.store.roots().size() == 1);
}

TEST_CASE("without CRLs a path verifies only when CRLs are not required", "[chain]") {
  Pki pki;
  TrustStore store;
  store.add_root(pki.root.cert);
  store.add_intermediate(pki.ca.cert);
  CHECK(store.verify(pki.leaf.cert, pki.now, false).ok);
  const ChainResult required = store.verify(pki.leaf.cert, pki.now);
  CHECK_FALSE(required.ok);
  CHECK(required.code == "crl_missing");
}

TEST_CASE("a trusted root verifies by itself, a CA verifies to its root", "[chain]") {
  Verified v;
  const ChainResult root = v.store.verify(v.root.cert, v.now);
  CHECK(root.ok);
  CHECK(root.path.size() == 1);
  const ChainResult ca = v.store.verify(v.ca.cert, v.now);
  CHECK(ca.ok);
  CHECK(ca.path.size() == 2);
}

TEST_CASE("refusal: an expired certificate is cert_expired", "[chain][refusal]") {
  Verified v;
  const Issued old = v.leaf_with(v.now - 30 * kDay, v.now - kDay);
  const ChainResult result = v.store.verify(old.cert, v.now);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "cert_expired");
  CHECK(result.message.find("another enterprise") != std::string::npos);
}

TEST_CASE("refusal: an expired issuing CA makes the leaf cert_expired", "[chain][refusal]") {
  Verified v;
  // At a time after the CA's not_after but within the root's window.
  const ChainResult result = v.store.verify(v.leaf.cert, v.ca.cert.not_after() + kHour, false);
  CHECK(result.code == "cert_expired");
}

TEST_CASE("refusal: a not-yet-valid certificate is cert_not_yet_valid", "[chain][refusal]") {
  Verified v;
  const Issued future = v.leaf_with(v.now + kDay, v.now + 30 * kDay);
  const ChainResult result = v.store.verify(future.cert, v.now);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "cert_not_yet_valid");
}

TEST_CASE("refusal: a revoked certificate is cert_revoked", "[chain][refusal]") {
  Verified v;
  v.store.add_crl(issue_crl(v.ca.cert, v.ca.key, {{v.leaf.cert.serial_hex(), v.now - kHour, 1}},
                            v.now - kHour, v.now + kDay, 2));
  const ChainResult result = v.store.verify(v.leaf.cert, v.now);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "cert_revoked");
  CHECK(result.message.find(v.leaf.cert.serial_hex()) != std::string::npos);
  // Revocation is checked even when CRLs are optional, as long as one is present.
  CHECK(v.store.verify(v.leaf.cert, v.now, false).code == "cert_revoked");
}

TEST_CASE("refusal: a revoked issuing CA makes its leaves cert_revoked", "[chain][refusal]") {
  Verified v;
  v.store.add_crl(issue_crl(v.root.cert, v.root.key, {{v.ca.cert.serial_hex(), v.now - kHour, 2}},
                            v.now - kHour, v.now + kDay, 2));
  CHECK(v.store.verify(v.leaf.cert, v.now).code == "cert_revoked");
}

TEST_CASE("the latest CRL per issuer wins", "[chain]") {
  Verified v;
  const Crl revoking = issue_crl(v.ca.cert, v.ca.key, {{v.leaf.cert.serial_hex(), v.now - kHour, 1}},
                                 v.now - kHour, v.now + kDay, 5);
  v.store.add_crl(revoking);
  CHECK(v.store.verify(v.leaf.cert, v.now).code == "cert_revoked");
  // An older CRL (lower number) that does not list the leaf does not replace it.
  v.store.add_crl(issue_crl(v.ca.cert, v.ca.key, {}, v.now - kHour, v.now + kDay, 4));
  CHECK(v.store.verify(v.leaf.cert, v.now).code == "cert_revoked");
}

TEST_CASE("refusal: a chain to an untrusted root is untrusted_chain", "[chain][refusal]") {
  Verified v;
  const Issued stranger_root = issue(dn("Stranger Root"), CertProfile::RootCa, nullptr, v.now - kHour, v.now + kDay);
  const Issued stranger_leaf = issue(dn("stranger leaf"), CertProfile::License, &stranger_root, v.now - kHour,
                                     v.now + kDay);
  // The stranger's root is known, but only as an intermediate: not trusted.
  v.store.add_intermediate(stranger_root.cert);
  const ChainResult result = v.store.verify(stranger_leaf.cert, v.now, false);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "untrusted_chain");
  CHECK(result.path.size() == 2);  // built up to the untrusted self-signed root
  CHECK(result.message.find("Stranger Root") != std::string::npos);
  CHECK(v.store.verify(stranger_root.cert, v.now, false).code == "untrusted_chain");

  // A whole foreign hierarchy with our very names, offered as intermediates,
  // still ends at a root we do not trust.
  Pki elsewhere;
  v.store.add_intermediate(elsewhere.root.cert);
  v.store.add_intermediate(elsewhere.ca.cert);
  CHECK(v.store.verify(elsewhere.leaf.cert, v.now, false).code == "untrusted_chain");
}

TEST_CASE("refusal: a missing intermediate is untrusted_chain", "[chain][refusal]") {
  Pki pki;
  TrustStore store;
  store.add_root(pki.root.cert);
  const ChainResult result = store.verify(pki.leaf.cert, pki.now, false);
  CHECK(result.code == "untrusted_chain");
  CHECK(result.message.find("no issuer") != std::string::npos);
}

TEST_CASE("refusal: a certificate signed by a different key is bad_signature", "[chain][refusal]") {
  Verified v;
  // An impostor with the issuing CA's exact name signs a leaf.
  const Issued impostor = impostor_of(v.ca, v.now);
  const Issued forged = issue(dn("forged enterprise"), CertProfile::License, &impostor, v.now - kHour, v.now + kDay);
  CHECK(forged.cert.issuer().attributes == v.ca.cert.subject().attributes);
  const ChainResult result = v.store.verify(forged.cert, v.now);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "bad_signature");
  CHECK(result.message.find("forged enterprise") != std::string::npos);

  // The same for a leaf of a foreign hierarchy that reuses our names.
  Pki elsewhere;
  CHECK(v.store.verify(elsewhere.leaf.cert, v.now).code == "bad_signature");
}

TEST_CASE("refusal: a certificate signed under another distinguishing ID is bad_signature", "[chain][refusal]") {
  // openssl signs the leaf with our CA key, once with the GM/T 0009 ID and once
  // with another: only the first verifies.
  Verified v;
  TempDir dir;
  write_file(dir / "ca.pem", v.ca.cert.pem());
  write_file(dir / "ca.key", v.ca.key.private_pem());
  const Sm2Key leaf_key = Sm2Key::generate();
  write_file(dir / "leaf.key", leaf_key.private_pem());
  write_file(dir / "ext.cnf", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
  const auto csr = run_command("/usr/bin/openssl req -new -key " + quote(dir / "leaf.key") +
                               " -subj /CN=openssl-leaf -sm3 -sigopt distid:1234567812345678 -out " +
                               quote(dir / "leaf.csr"));
  REQUIRE(csr.exit_code == 0);
  auto sign_with = [&](const std::string& id, const std::string& out) {
    const auto r = run_command("/usr/bin/openssl x509 -req -in " + quote(dir / "leaf.csr") + " -CA " +
                               quote(dir / "ca.pem") + " -CAkey " + quote(dir / "ca.key") +
                               " -set_serial 0x1234 -days 2 -sm3 -sigopt distid:" + id +
                               " -vfyopt distid:1234567812345678 -extfile " + quote(dir / "ext.cnf") +
                               " -out " + quote(dir / out));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return Certificate::from_pem(read_file(dir / out));
  };
  const Certificate good = sign_with("1234567812345678", "good.pem");
  const Certificate other_id = sign_with("ANOTHER-ID", "other.pem");
  // openssl starts the validity at its own "now", possibly a second after ours.
  const TimePoint at = now_seconds() + std::chrono::minutes(1);
  const ChainResult accepted = v.store.verify(good, at);
  INFO(accepted.message);
  CHECK(accepted.ok);
  CHECK(v.store.verify(other_id, at).code == "bad_signature");
}

TEST_CASE("refusal: a CRL signed by the wrong key is crl_invalid", "[chain][refusal]") {
  Verified v;
  const Issued impostor = impostor_of(v.ca, v.now);
  // Newer number, so it replaces the genuine CRL in the store.
  v.store.add_crl(issue_crl(impostor.cert, impostor.key, {}, v.now - kHour, v.now + kDay, 99));
  const ChainResult result = v.store.verify(v.leaf.cert, v.now);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "crl_invalid");
}

TEST_CASE("refusal: a missing CRL is crl_missing", "[chain][refusal]") {
  Pki pki;
  TrustStore store;
  store.add_root(pki.root.cert);
  store.add_intermediate(pki.ca.cert);
  store.add_crl(issue_crl(pki.root.cert, pki.root.key, {}, pki.now - kHour, pki.now + kDay, 1));
  // The root's CRL covers the CA; nothing covers the leaf.
  const ChainResult result = store.verify(pki.leaf.cert, pki.now);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "crl_missing");
  CHECK(result.message.find("Issuing CA") != std::string::npos);
}

TEST_CASE("refusal: an expired CRL is crl_expired, a future one crl_invalid", "[chain][refusal]") {
  Verified v;
  CHECK(v.store.verify(v.leaf.cert, v.now + 8 * kDay).code == "crl_expired");
  v.store.add_crl(issue_crl(v.ca.cert, v.ca.key, {}, v.now + kHour, v.now + kDay, 2));
  CHECK(v.store.verify(v.leaf.cert, v.now).code == "crl_invalid");
}

TEST_CASE("refusal: a leaf used as issuer is not_a_ca", "[chain][refusal]") {
  Verified v;
  const Issued grandchild = issue(dn("issued by a leaf"), CertProfile::License, &v.leaf, v.now - kHour, v.now + kDay);
  v.store.add_intermediate(v.leaf.cert);
  const ChainResult result = v.store.verify(grandchild.cert, v.now, false);
  CHECK_FALSE(result.ok);
  CHECK(result.code == "not_a_ca");
  CHECK(result.message.find("武汉长江数据科技有限公司") != std::string::npos);
}

TEST_CASE("refusal: a CA below a pathlen:0 CA is not_a_ca", "[chain][refusal]") {
  Verified v;
  const Issued sub_ca = issue(dn("Sub CA"), CertProfile::IssuingCa, &v.ca, v.now - kHour, v.now + kDay);
  const Issued leaf = issue(dn("below sub CA"), CertProfile::License, &sub_ca, v.now - kHour, v.now + kDay);
  v.store.add_intermediate(sub_ca.cert);
  CHECK(v.store.verify(leaf.cert, v.now, false).code == "not_a_ca");
}

TEST_CASE("verify never throws for bad input", "[chain][refusal]") {
  Verified v;
  ChainResult result;
  CHECK_NOTHROW(result = v.store.verify(Certificate(), v.now));
  CHECK_FALSE(result.ok);
  CHECK(result.code == "untrusted_chain");
  TrustStore empty;
  CHECK_NOTHROW(result = empty.verify(v.leaf.cert, v.now));
  CHECK(result.code == "untrusted_chain");
}
