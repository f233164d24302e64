// TrustStore's revocation hook (zhaoyin/trust/revocation.h): a source other
// than the CRLs (the http connector's OCSP client) decides alone — no CRL is
// needed — is asked about every certificate below the root, refuses what it
// says is revoked or unknown, and what it throws leaves verify() untouched.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <pki_fixture.h>
#include <stdexcept>
#include <test_support.h>
#include <zhaoyin/trust/chain.h>

using namespace zhaoyin::trust;
using namespace zhaoyin::test;

namespace {

// Answers from a table by serial (absent: good); records what it was asked.
class TableSource final : public RevocationSource {
 public:
  std::map<std::string, std::string> verdicts;  // serial -> code
  bool down = false;
  mutable std::vector<std::pair<std::string, std::string>> asked;  // (subject serial, issuer serial)
  RevocationVerdict check(const Certificate& subject, const Certificate& issuer, TimePoint, bool required) const override {
    if (!required) return {};
    if (down) throw std::runtime_error("the responder cannot be reached");
    asked.emplace_back(subject.serial_hex(), issuer.serial_hex());
    const auto it = verdicts.find(subject.serial_hex());
    if (it == verdicts.end()) return {};
    return {it->second, subject.serial_hex() + " per the table"};
  }
  std::string describe() const override { return "the table"; }
};

struct Hooked : Pki {
  TrustStore store;
  std::shared_ptr<TableSource> source = std::make_shared<TableSource>();
  Hooked() {
    store.add_root(root.cert);
    store.add_intermediate(ca.cert);
    store.set_revocation_source(source);
  }
};

}  // namespace

TEST_CASE("with a revocation source the chain verifies without any CRL and asks about every certificate below the root", "[chain][revocation]") {
  Hooked h;
  const ChainResult r = h.store.verify(h.leaf.cert, h.now);
  INFO(r.message);
  CHECK(r.ok);
  REQUIRE(h.source->asked.size() == 2);
  CHECK(h.source->asked[0] == std::make_pair(h.leaf.cert.serial_hex(), h.ca.cert.serial_hex()));
  CHECK(h.source->asked[1] == std::make_pair(h.ca.cert.serial_hex(), h.root.cert.serial_hex()));
  CHECK(h.store.revocation_description() == "the table");
  // A copy of the store shares the source; clearing it brings the CRLs back.
  TrustStore copy = h.store;
  CHECK(copy.revocation_source() == h.store.revocation_source());
  copy.set_revocation_source(nullptr);
  CHECK(copy.verify(h.leaf.cert, h.now).code == "crl_missing");
  CHECK(copy.revocation_description() == "its issuer's CRL");
}

TEST_CASE("refusal: a revocation source's revoked or unknown verdict refuses the chain, for the leaf or its CA", "[chain][revocation][refusal]") {
  Hooked h;
  SECTION("the leaf revoked") {
    h.source->verdicts[h.leaf.cert.serial_hex()] = "cert_revoked";
    CHECK(h.store.verify(h.leaf.cert, h.now).code == "cert_revoked");
  }
  SECTION("the issuing CA revoked") {
    h.source->verdicts[h.ca.cert.serial_hex()] = "cert_revoked";
    CHECK(h.store.verify(h.leaf.cert, h.now).code == "cert_revoked");
  }
  SECTION("the leaf unknown to its issuer") {
    h.source->verdicts[h.leaf.cert.serial_hex()] = "cert_status_unknown";
    CHECK(h.store.verify(h.leaf.cert, h.now).code == "cert_status_unknown");
  }
}

TEST_CASE("refusal: a revocation source that cannot answer throws out of verify, it is never a pass or a chain verdict", "[chain][revocation][refusal]") {
  Hooked h;
  h.source->down = true;
  CHECK_THROWS_WITH(h.store.verify(h.leaf.cert, h.now), "the responder cannot be reached");
  // Not required (require_crl = false): the source may pass without asking.
  CHECK(h.store.verify(h.leaf.cert, h.now, false).ok);
}

TEST_CASE("the source replaces the CRLs: a certificate the CRL lists passes when the source says good", "[chain][revocation]") {
  Hooked h;
  h.store.add_crl(issue_crl(h.ca.cert, h.ca.key, {{h.leaf.cert.serial_hex(), h.now - kHour, 1}}, h.now - kHour,
                            h.now + kDay, 2));
  CHECK(h.store.verify(h.leaf.cert, h.now).ok);
  h.store.set_revocation_source(nullptr);
  CHECK(h.store.verify(h.leaf.cert, h.now).code == "cert_revoked");
}
