// Electronic seals: GB/T 38540-2020 v4 build/parse/verify, GM/T 0031-2014 v1
// parsing, refusals (signature, validity, chain), OpenSSL's independent DER
// parser, and garbage input that must end in TrustError("malformed").
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <test_support.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include "seal_fixture.h"

using namespace zhaoyin::trust;
namespace test = zhaoyin::test;
using namespace seal_fixture;

namespace {

std::string error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const TrustError& e) {
    return e.code();
  }
  return "no error";
}

std::string verify_code(const Bytes& seal_der, TimePoint at = kNow) {
  return verify_seal(parse_seal(seal_der), world().trust, at).code;
}

// Position of `needle` inside `haystack` (the test's way to find a field to tamper with).
std::size_t find(const Bytes& haystack, const Bytes& needle) {
  const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
  REQUIRE(it != haystack.end());
  return static_cast<std::size_t>(it - haystack.begin());
}

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("Seal v4: build and parse round-trip every field") {
  const World& w = world();
  SealInfo info = w.info();
  info.type = SealOwnerType::Person;
  info.signer_certs = {w.signer.cert, w.other_signer.cert};
  info.picture.type = "SVG";
  info.picture.width_mm = 20;
  info.picture.height_mm = 10;
  info.created = utc(2024, 12, 31) + std::chrono::hours(23) + std::chrono::seconds(59);
  info.extensions = {{"1.2.156.112562.1.1", false, {1, 2, 3}}, {"1.2.156.112562.1.2", true, {}}};
  const Bytes seal_der = build_seal_v4(info, w.maker.key, w.maker.cert);

  const ParsedSeal seal = parse_seal(seal_der);
  CHECK(seal.version == 4);
  CHECK(seal.info.vid == info.vid);
  CHECK(seal.info.es_id == info.es_id);
  CHECK(seal.info.type == SealOwnerType::Person);
  CHECK(seal.info.name == info.name);
  REQUIRE(seal.info.signer_certs.size() == 2);
  CHECK(seal.info.signer_certs[0].der() == w.signer.cert.der());
  CHECK(seal.info.signer_certs[1].der() == w.other_signer.cert.der());
  CHECK(seal.signer_cert_digests_sm3.empty());
  CHECK(seal.info.created == info.created);
  CHECK(seal.info.valid_start == info.valid_start);
  CHECK(seal.info.valid_end == info.valid_end);
  CHECK(seal.info.picture.type == "SVG");
  CHECK(seal.info.picture.data == info.picture.data);
  CHECK(seal.info.picture.width_mm == 20);
  CHECK(seal.info.picture.height_mm == 10);
  REQUIRE(seal.info.extensions.size() == 2);
  CHECK(seal.info.extensions[0].oid == "1.2.156.112562.1.1");
  CHECK_FALSE(seal.info.extensions[0].critical);
  CHECK(seal.info.extensions[0].value == Bytes{1, 2, 3});
  CHECK(seal.info.extensions[1].critical);
  CHECK(seal.info.extensions[1].value.empty());
  CHECK(seal.maker_cert.der() == w.maker.cert.der());
  CHECK(seal.sign_alg_oid == "1.2.156.10197.1.501");
  CHECK_FALSE(seal.signature.empty());
  CHECK(seal.der == seal_der);

  // What was signed (GB/T 38540-2020 §6.1 签名值): DER(SES_SealInfo) exactly as
  // it stands in the seal — not the certificate, not the algorithm identifier.
  const auto parts = der::parse(seal_der).children();
  REQUIRE(parts.size() == 4);
  CHECK(seal.signed_data == parts[0].raw_bytes());
  CHECK(w.maker.cert.public_key().verify(parts[0].raw_bytes(), parts[3].as_bits()));
  CHECK_FALSE(w.maker.cert.public_key().verify(
      der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes()}), parts[3].as_bits()));

  // A rebuilt seal with the same info differs only in the (randomised) SM2 signature.
  const ParsedSeal again = parse_seal(build_seal_v4(info, w.maker.key, w.maker.cert));
  CHECK(again.signed_data == seal.signed_data);
}

TEST_CASE("Seal v4: a maker signature over SEQUENCE { eSealInfo, cert, signAlgID } (Zhaoyin before issue 18) is refused") {
  // §6.1 signs the SES_SealInfo alone; the old wrapped form is what a
  // conformant verifier rejects, so this host must reject it too.
  const World& w = world();
  const Bytes seal_der = w.seal();  // the Elements below point into it
  const auto parts = der::parse(seal_der).children();
  const Bytes wrapped = der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes()});
  const Bytes old_seal = der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes(),
                                        der::bit_string(w.maker.key.sign(wrapped))});
  CHECK(verify_code(old_seal) == "bad_signature");
  // The same info signed as §6.1 says verifies.
  const Bytes good = der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes(),
                                    der::bit_string(w.maker.key.sign(parts[0].raw_bytes()))});
  CHECK(verify_code(good) == "ok");
}

TEST_CASE("Seal v4: a well-formed seal verifies") {
  const SealCheck check = verify_seal(parse_seal(world().seal()), world().trust, kNow);
  INFO(check.message);
  CHECK(check.ok);
  CHECK(check.code == "ok");
}

TEST_CASE("Seal v4: a flipped bit in the signature is refused as bad_signature") {
  Bytes seal_der = world().seal();
  seal_der.back() ^= 0x01;  // last octet of the signature's s value
  CHECK(verify_code(seal_der) == "bad_signature");
}

TEST_CASE("Seal v4: a flipped bit in the seal info is refused as bad_signature") {
  const World& w = world();
  {
    Bytes seal_der = w.seal();
    seal_der[find(seal_der, bytes_of(w.info().es_id))] ^= 0x01;  // '4' → '5'
    const ParsedSeal seal = parse_seal(seal_der);
    CHECK(seal.info.es_id == "52010000000123");
    CHECK(verify_seal(seal, w.trust, kNow).code == "bad_signature");
  }
  {
    Bytes seal_der = w.seal();
    seal_der[find(seal_der, w.info().picture.data) + 10] ^= 0x80;
    CHECK(verify_code(seal_der) == "bad_signature");
  }
  {
    // Extending the validity is caught too: the dates are inside what was signed.
    Bytes seal_der = w.seal();
    const std::size_t at = find(seal_der, bytes_of("20300101000000Z"));
    seal_der[at + 2] = '9';  // 2030 → 2090
    const ParsedSeal seal = parse_seal(seal_der);
    CHECK(seal.info.valid_end == utc(2090, 1, 1));
    CHECK(verify_seal(seal, w.trust, kNow).code == "bad_signature");
  }
}

TEST_CASE("Seal v4: the signature does not verify with another maker's certificate") {
  const World& w = world();
  ParsedSeal seal = parse_seal(w.seal());
  seal.maker_cert = w.signer.cert;
  CHECK(verify_seal(seal, w.trust, kNow).code == "bad_signature");
}

TEST_CASE("Seal v4: outside its validity window the seal is refused") {
  const Bytes seal_der = world().seal();
  CHECK(verify_code(seal_der, utc(2030, 1, 2)) == "seal_expired");
  CHECK(verify_code(seal_der, utc(2024, 12, 31)) == "seal_not_yet_valid");
  CHECK(verify_code(seal_der, utc(2025, 1, 1)) == "ok");  // bounds are inclusive
  CHECK(verify_code(seal_der, utc(2030, 1, 1)) == "ok");
}

TEST_CASE("Seal v4: a maker certificate from an untrusted root is refused") {
  const Issued rogue_root = issue("Rogue Root CA", CertProfile::RootCa, nullptr);
  const Issued rogue_maker = issue("Zhaoyin Sandbox Seal Maker", CertProfile::SealMaker, &rogue_root);
  const Bytes seal_der = build_seal_v4(world().info(), rogue_maker.key, rogue_maker.cert);
  const ParsedSeal seal = parse_seal(seal_der);
  // The signature itself is fine; only the chain is not ours.
  CHECK(rogue_maker.cert.public_key().verify(seal.signed_data, seal.signature));
  const SealCheck check = verify_seal(seal, world().trust, kNow);
  CHECK_FALSE(check.ok);
  CHECK(check.code == "untrusted_chain");
}

TEST_CASE("Seal v4: a revoked maker certificate is refused with the chain's code") {
  const World& w = world();
  TrustStore trust;
  trust.add_root(w.root.cert);
  trust.add_crl(issue_crl(w.root.cert, w.root.key, {{w.maker.cert.serial_hex(), utc(2026, 2, 1), 0}}, utc(2026, 2, 1),
                          utc(2027, 1, 1), 2));
  const SealCheck check = verify_seal(parse_seal(w.seal()), trust, kNow);
  CHECK_FALSE(check.ok);
  CHECK(check.code == "cert_revoked");
}

TEST_CASE("Seal v4: a signature algorithm other than SM2-with-SM3 is refused") {
  const World& w = world();
  const Bytes original = w.seal();  // the Elements below point into it
  const auto parts = der::parse(original).children();
  const Bytes cert = parts[1].raw_bytes();
  const Bytes alg = der::oid("1.2.840.10045.4.3.2");  // ecdsa-with-SHA256
  const Bytes info = parts[0].raw_bytes();
  const Bytes signature = w.maker.key.sign(info);  // §6.1: over SES_SealInfo
  const Bytes seal_der = der::sequence({info, cert, alg, der::bit_string(signature)});
  CHECK(verify_code(seal_der) == "unsupported_algorithm");
}

TEST_CASE("Seal: the signer list decides who may use the seal") {
  const World& w = world();
  const ParsedSeal seal = parse_seal(w.seal());
  CHECK(seal_allows_signer(seal, w.signer.cert));
  CHECK_FALSE(seal_allows_signer(seal, w.other_signer.cert));
  CHECK_FALSE(seal_allows_signer(seal, w.maker.cert));
  CHECK_FALSE(seal_allows_signer(seal, Certificate{}));
}

TEST_CASE("Seal v4: certListType 2 (SM3 digests of the signer certificates) parses and allows by digest") {
  const World& w = world();
  const SealInfo info = w.info();
  const Bytes digest_list = der::sequence({
      der::sequence({der::printable_string("sm3"), der::octet_string(w.other_signer.cert.fingerprint_sm3())}),
      der::sequence({der::printable_string("sha256"), der::octet_string(Bytes(32, 0xAA))}),  // not comparable: skipped
  });
  const Bytes seal_info = der::sequence({
      der::sequence({der::ia5_string("ES"), der::integer(4), der::ia5_string(info.vid)}),
      der::ia5_string(info.es_id),
      der::sequence({der::integer(1), der::utf8_string(info.name), der::integer(2), digest_list,
                     der::generalized_time(info.created), der::generalized_time(info.valid_start),
                     der::generalized_time(info.valid_end)}),
      der::sequence({der::ia5_string("PNG"), der::octet_string(info.picture.data), der::integer(40), der::integer(40)}),
  });
  const Bytes cert = der::octet_string(w.maker.cert.der());
  const Bytes alg = der::oid(kOidSm2WithSm3);
  const Bytes seal_der =
      der::sequence({seal_info, cert, alg, der::bit_string(w.maker.key.sign(seal_info))});  // §6.1

  const ParsedSeal seal = parse_seal(seal_der);
  CHECK(seal.info.signer_certs.empty());
  CHECK(seal.signer_cert_digests_sm3 == w.other_signer.cert.fingerprint_sm3());
  CHECK(seal_allows_signer(seal, w.other_signer.cert));
  CHECK_FALSE(seal_allows_signer(seal, w.signer.cert));
  CHECK(verify_seal(seal, w.trust, kNow).ok);
}

TEST_CASE("Seal v1 (GM/T 0031-2014) parses with version 1 and verifies") {
  const World& w = world();
  const SealInfo info = w.info();
  const Bytes seal_der = build_v1_seal(info, w.maker);
  const ParsedSeal seal = parse_seal(seal_der);
  CHECK(seal.version == 1);
  CHECK(seal.info.vid == info.vid);
  CHECK(seal.info.es_id == info.es_id);
  CHECK(seal.info.name == info.name);
  CHECK(seal.info.type == SealOwnerType::Organization);
  REQUIRE(seal.info.signer_certs.size() == 1);
  CHECK(seal.info.signer_certs[0].der() == w.signer.cert.der());
  CHECK(seal.info.valid_start == info.valid_start);
  CHECK(seal.info.valid_end == info.valid_end);
  CHECK(seal.info.picture.data == info.picture.data);
  CHECK(seal.maker_cert.der() == w.maker.cert.der());
  CHECK(seal.sign_alg_oid == kOidSm2WithSm3);
  CHECK(seal_allows_signer(seal, w.signer.cert));

  const SealCheck check = verify_seal(seal, w.trust, kNow);
  INFO(check.message);
  CHECK(check.ok);

  Bytes tampered = seal_der;
  tampered[find(tampered, bytes_of(info.es_id))] ^= 0x01;
  CHECK(verify_code(tampered) == "bad_signature");
  CHECK(verify_code(seal_der, utc(2031, 1, 1)) == "seal_expired");
}

TEST_CASE("Seal: the header must match the structure") {
  const World& w = world();
  const SealInfo info = w.info();
  auto with_header = [&](const std::string& id, std::int64_t version) {
    const Bytes seal_info = der::sequence({
        der::sequence({der::ia5_string(id), der::integer(version), der::ia5_string("x")}),
        der::ia5_string("1"),
        der::sequence({der::integer(1), der::utf8_string("章"), der::integer(1), der::sequence({}),
                       der::generalized_time(info.created), der::generalized_time(info.valid_start),
                       der::generalized_time(info.valid_end)}),
        der::sequence({der::ia5_string("PNG"), der::octet_string({1}), der::integer(40), der::integer(40)}),
    });
    return der::sequence({seal_info, der::octet_string(w.maker.cert.der()), der::oid(kOidSm2WithSm3),
                          der::bit_string({0x30, 0x00})});
  };
  CHECK(error_code([&] { parse_seal(with_header("ES", 4)); }) == "no error");
  CHECK(error_code([&] { parse_seal(with_header("ES", 1)); }) == "malformed");  // v1 header, v4 shape
  CHECK(error_code([&] { parse_seal(with_header("EX", 4)); }) == "malformed");
}

TEST_CASE("Seal: OpenSSL's own DER parser reads our SESeal with the expected structure") {
  const World& w = world();
  test::TempDir dir("zhaoyin-seal");
  const Bytes seal_der = w.seal();
  test::write_file(dir / "seal.der", std::string(seal_der.begin(), seal_der.end()));
  const auto result = test::run_command("openssl asn1parse -inform DER -i -in " + test::quote(dir / "seal.der"));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK(result.output.find("Error") == std::string::npos);
  CHECK(result.output.find("IA5STRING         :ES") != std::string::npos);
  CHECK(result.output.find("INTEGER           :04") != std::string::npos);
  CHECK(result.output.find("IA5STRING         :Zhaoyin Sandbox") != std::string::npos);
  CHECK(result.output.find("IA5STRING         :42010000000123") != std::string::npos);
  CHECK(result.output.find("UTF8STRING        :武汉长江数据科技有限公司合同专用章") != std::string::npos);
  CHECK(result.output.find("GENERALIZEDTIME   :20300101000000Z") != std::string::npos);
  CHECK(result.output.find("IA5STRING         :PNG") != std::string::npos);
  CHECK(result.output.find("INTEGER           :2A") != std::string::npos);  // 42 mm
  CHECK((result.output.find("OBJECT            :SM2-with-SM3") != std::string::npos ||
         result.output.find("OBJECT            :1.2.156.10197.1.501") != std::string::npos));
  CHECK(result.output.find("BIT STRING") != std::string::npos);

  // The maker certificate inside the cert OCTET STRING is itself a certificate OpenSSL reads.
  const Bytes cert = der::parse(seal_der).children().at(1).as_octets();
  test::write_file(dir / "maker.der", std::string(cert.begin(), cert.end()));
  const auto x509 = test::run_command("openssl x509 -inform DER -noout -subject -in " + test::quote(dir / "maker.der"));
  INFO(x509.output);
  CHECK(x509.exit_code == 0);
  CHECK(x509.output.find("Seal Maker") != std::string::npos);
}

TEST_CASE("Seal: every truncation of a seal is malformed") {
  for (const Bytes& seal_der : {world().seal(), build_v1_seal(world().info(), world().maker)}) {
    for (std::size_t n = 0; n < seal_der.size(); ++n) {
      const Bytes cut(seal_der.begin(), seal_der.begin() + static_cast<std::ptrdiff_t>(n));
      INFO("length " << n);
      CHECK(error_code([&] { parse_seal(cut); }) == "malformed");
    }
    // Truncating the seal info inside a well-framed outer SEQUENCE reaches the inner parsers.
    const auto parts = der::parse(seal_der).children();
    const Bytes info = parts[0].raw_bytes();
    for (std::size_t n = 0; n < info.size(); n += 7) {
      std::vector<Bytes> fields = {Bytes(info.begin(), info.begin() + static_cast<std::ptrdiff_t>(n))};
      for (std::size_t i = 1; i < parts.size(); ++i) fields.push_back(parts[i].raw_bytes());
      INFO("seal info cut to " << n);
      CHECK(error_code([&] { parse_seal(der::sequence(fields)); }) == "malformed");
    }
  }
}

TEST_CASE("Seal: mutated bytes end as malformed or as a seal that does not verify") {
  const World& w = world();
  const Bytes original = w.seal();
  auto check_mutant = [&w, &original](const Bytes& mutant) {
    if (mutant == original) return;  // a random edit can undo itself
    try {
      const ParsedSeal seal = parse_seal(mutant);
      CHECK_FALSE(verify_seal(seal, w.trust, kNow).ok);
    } catch (const TrustError& e) {
      CHECK(e.code() == "malformed");
    }
  };
  // Every position, three kinds of damage.
  for (std::size_t pos = 0; pos < original.size(); ++pos) {
    for (std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
      Bytes mutant = original;
      mutant[pos] ^= flip;
      INFO("byte " << pos << " ^ " << int{flip});
      check_mutant(mutant);
    }
  }
  // Random multi-byte damage, insertions and deletions, from a fixed seed.
  std::mt19937 rng(20260601);
  for (int round = 0; round < 500; ++round) {
    Bytes mutant = original;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !mutant.empty(); ++e) {
      const std::size_t pos = rng() % mutant.size();
      switch (rng() % 3) {
        case 0: mutant[pos] = static_cast<std::uint8_t>(rng()); break;
        case 1: mutant.insert(mutant.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<std::uint8_t>(rng())); break;
        default: mutant.erase(mutant.begin() + static_cast<std::ptrdiff_t>(pos)); break;
      }
    }
    INFO("round " << round);
    check_mutant(mutant);
  }
}

TEST_CASE("Seal: inputs that are not seals at all are malformed") {
  CHECK(error_code([] { parse_seal({}); }) == "malformed");
  CHECK(error_code([] { parse_seal({0x30, 0x00}); }) == "malformed");
  CHECK(error_code([] { parse_seal({0x30, 0x80, 0x00, 0x00}); }) == "malformed");
  CHECK(error_code([] { parse_seal(der::sequence({der::integer(1), der::integer(2), der::integer(3)})); }) == "malformed");
  CHECK(error_code([] { parse_seal(Bytes(4096, 0x30)); }) == "malformed");  // nested SEQUENCE headers
  Bytes deep;
  for (int i = 0; i < 2000; ++i) deep = der::sequence({deep});
  CHECK(error_code([&] { parse_seal(deep); }) == "malformed");
  // A certificate OCTET STRING that holds no certificate.
  const Bytes seal_der = world().seal();  // the Elements below point into it
  const auto parts = der::parse(seal_der).children();
  const Bytes fake_cert = der::sequence({parts[0].raw_bytes(), der::octet_string({0x30, 0x03, 0x02, 0x01, 0x01}),
                                         parts[2].raw_bytes(), parts[3].raw_bytes()});
  CHECK(error_code([&] { parse_seal(fake_cert); }) == "malformed");
}

TEST_CASE("Seal: building refuses incomplete or inconsistent input") {
  const World& w = world();
  auto build_code = [&w](const std::function<void(SealInfo&)>& change, const Issued* maker = nullptr) {
    SealInfo info = w.info();
    change(info);
    const Issued& m = maker ? *maker : w.maker;
    return error_code([&] { build_seal_v4(info, m.key, m.cert); });
  };
  CHECK(build_code([](SealInfo&) {}) == "no error");
  CHECK(build_code([](SealInfo& i) { i.name.clear(); }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.es_id.clear(); }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.es_id = "印章"; }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.picture.data.clear(); }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.signer_certs.clear(); }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.valid_end = utc(2020, 1, 1); }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.extensions = {{"not.an.oid", false, {}}}; }) == "invalid_argument");
  CHECK(build_code([](SealInfo& i) { i.name = "\xFF"; }) == "invalid_argument");
  // The maker key must be the one in the maker certificate.
  const SealInfo info = w.info();
  CHECK(error_code([&] { build_seal_v4(info, w.signer.key, w.maker.cert); }) == "invalid_argument");
  CHECK(error_code([&] { build_seal_v4(info, Sm2Key::from_public_der(w.maker.key.public_der()), w.maker.cert); }) ==
        "invalid_argument");
}
