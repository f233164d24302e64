// GB/T 38540-2020 SES_Signature v4: build, parse, verify, every refusal, and
// OpenSSL's own DER parser reading what we write.
#include <catch2/catch.hpp>

#include <algorithm>
#include <test_support.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include "seal_fixture.h"

using namespace seal_fixture;
namespace test = zhaoyin::test;

namespace {

const TimePoint kSigned = utc(2026, 6, 1) + std::chrono::hours(10);

SignatureRequest request_for(const Bytes& seal, std::string_view data = "合同正文 contract body") {
  SignatureRequest r;
  r.seal_der = seal;
  r.time = kSigned;
  r.data_hash = sm3(Bytes(data.begin(), data.end()));
  r.property_info = "zhaoyin:data;name=contract.json;size=" + std::to_string(data.size());
  return r;
}

std::string check(const Bytes& signature, std::optional<Bytes> hash = std::nullopt) {
  return verify_seal_signature(parse_seal_signature(signature), world().trust, hash).code;
}

}  // namespace

TEST_CASE("Seal signature v4: signed by an authorised holder, it parses and verifies") {
  const World& w = world();
  const SignatureRequest r = request_for(w.seal());
  const Bytes der = sign_seal_signature_v4(r, w.signer.key, w.signer.cert);
  const ParsedSealSignature p = parse_seal_signature(der);
  CHECK(p.version == 4);
  CHECK(p.seal.info.es_id == "42010000000123");
  CHECK(p.time == kSigned);
  CHECK(p.data_hash == r.data_hash);
  CHECK(p.property_info == r.property_info);
  CHECK(p.signer_cert.der() == w.signer.cert.der());
  CHECK(p.tbs_sign == build_tbs_sign_v4(r));
  CHECK_FALSE(p.timestamp);
  CHECK(check(der, r.data_hash) == "ok");
  CHECK(check(der) == "ok");
}

TEST_CASE("Seal signature v4: a wallet can sign the TBS bytes alone and the host assembles the rest") {
  const World& w = world();
  const SignatureRequest r = request_for(w.seal());
  const Bytes tbs = build_tbs_sign_v4(r);
  const Bytes signature = w.signer.key.sign(tbs);  // what a wallet does, given only tbs
  CHECK(check(assemble_seal_signature_v4(tbs, w.signer.cert, signature), r.data_hash) == "ok");
}

TEST_CASE("Seal signature v4: refusals name what failed") {
  const World& w = world();
  const Bytes seal = w.seal();
  const SignatureRequest r = request_for(seal);

  SECTION("other data than was signed") {
    CHECK(check(sign_seal_signature_v4(r, w.signer.key, w.signer.cert), sm3(to_bytes("another document"))) ==
          "data_hash_mismatch");
  }
  SECTION("a signer the seal does not list") {
    CHECK(check(sign_seal_signature_v4(r, w.other_signer.key, w.other_signer.cert)) == "signer_not_authorised");
  }
  SECTION("a signature by another key than the certificate's") {
    const Bytes tbs = build_tbs_sign_v4(r);
    CHECK(check(assemble_seal_signature_v4(tbs, w.signer.cert, w.other_signer.key.sign(tbs))) == "bad_signature");
  }
  SECTION("a tampered TBS_Sign (the property info changed after signing)") {
    Bytes der = sign_seal_signature_v4(r, w.signer.key, w.signer.cert);
    const std::string needle = "size=";
    const auto at = std::search(der.begin(), der.end(), needle.begin(), needle.end());
    REQUIRE(at != der.end());
    *(at + 5) = static_cast<std::uint8_t>(*(at + 5) == '9' ? '8' : '9');
    CHECK(check(der) == "bad_signature");
  }
  SECTION("signed after the seal expired") {
    SignatureRequest late = r;
    late.time = utc(2030, 6, 1);
    CHECK(check(sign_seal_signature_v4(late, w.signer.key, w.signer.cert)) == "seal_seal_expired");
  }
  SECTION("a seal whose maker is not trusted") {
    const Issued rogue_root = issue("Rogue Root", CertProfile::RootCa, nullptr);
    const Issued rogue_maker = issue("Rogue Maker", CertProfile::SealMaker, &rogue_root);
    const Bytes rogue_seal = build_seal_v4(w.info(), rogue_maker.key, rogue_maker.cert);
    CHECK(check(sign_seal_signature_v4(request_for(rogue_seal), w.signer.key, w.signer.cert)) ==
          "seal_untrusted_chain");
  }
}

TEST_CASE("Seal signature v4: building refuses what it cannot sign") {
  const World& w = world();
  SignatureRequest r = request_for(w.seal());
  r.data_hash.resize(20);
  CHECK(code_of([&] { build_tbs_sign_v4(r); }) == "invalid_argument");
  r = request_for(w.seal());
  r.property_info = "名称";
  CHECK(code_of([&] { build_tbs_sign_v4(r); }) == "invalid_argument");
  r = request_for(Bytes{0x30, 0x00});
  CHECK(code_of([&] { build_tbs_sign_v4(r); }) == "invalid_argument");
  CHECK(code_of([&] { sign_seal_signature_v4(request_for(w.seal()), w.other_signer.key,
                                                                 w.signer.cert); }) == "invalid_argument");
}

TEST_CASE("Seal signature v4: truncations and garbage are malformed") {
  const World& w = world();
  const Bytes der = sign_seal_signature_v4(request_for(w.seal()), w.signer.key, w.signer.cert);
  for (std::size_t cut : {std::size_t{1}, std::size_t{10}, der.size() / 2, der.size() - 1})
    CHECK(code_of([&] { parse_seal_signature(Bytes(der.begin(), der.begin() + static_cast<long>(cut))); }) == "malformed");
  CHECK(code_of([&] { parse_seal_signature(w.seal()); }) == "malformed");  // a seal is not a signature
}

TEST_CASE("Seal signature v4: OpenSSL's asn1parse reads the structure we write") {
  const World& w = world();
  const Bytes der = sign_seal_signature_v4(request_for(w.seal()), w.signer.key, w.signer.cert);
  test::TempDir dir("ses");
  test::write_file(dir.path() / "sig.der", to_string(der));
  const auto r = test::run_command("/usr/bin/openssl asn1parse -inform DER -in " +
                                   test::quote((dir.path() / "sig.der").string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("Error") == std::string::npos);
  CHECK(r.output.find("OBJECT            :SM2-with-SM3") != std::string::npos);
  CHECK(r.output.find("GENERALIZEDTIME") != std::string::npos);
  CHECK(r.output.find("IA5STRING         :zhaoyin:data;") != std::string::npos);
}

TEST_CASE("Seal signature v4: propertyInfo's protection range (GB/T 38540-2020 §7.1) is read back") {
  using R = std::vector<std::uint64_t>;
  CHECK(stated_protection_range("zhaoyin:pdf;task=T1;byterange=0,1200,9400,310") == R{0, 1200, 9400, 310});
  CHECK(stated_protection_range(data_property_info("T2", 77)) == R{0, 77});
  CHECK(data_property_info("T2", 77) == "zhaoyin:data;task=T2;byterange=0,77");
  CHECK_FALSE(stated_protection_range("zhaoyin:data;task=T3").has_value());
  CHECK_FALSE(stated_protection_range("").has_value());
  // Stated but unusable: odd count, non-digits, empty numbers — a range that matches nothing.
  CHECK(stated_protection_range("byterange=0,1,2") == R{});
  CHECK(stated_protection_range("byterange=0,-1") == R{});
  CHECK(stated_protection_range("byterange=") == R{});
  CHECK(stated_protection_range("byterange=0,,1,2") == R{});
  CHECK(stated_protection_range("byterange=99999999999999999999,1") == R{});
}

TEST_CASE("Seal signature v4: timeStamp [0] is read in both taggings, anything else is malformed") {
  // §7.1 `timeStamp [0] BIT STRING OPTIONAL` states no tagging mode; writers differ.
  const World& w = world();
  const Bytes der = sign_seal_signature_v4(request_for(w.seal()), w.signer.key, w.signer.cert);
  const Bytes copy = der;  // the Elements point into it
  const auto f = der::parse(copy).children();
  const auto with = [&](const Bytes& extra) {
    return der::sequence({f[0].raw_bytes(), f[1].raw_bytes(), f[2].raw_bytes(), f[3].raw_bytes(), extra});
  };
  const Bytes token = {0x30, 0x03, 0x02, 0x01, 0x07};
  Bytes implicit_content = {0x00};
  implicit_content.insert(implicit_content.end(), token.begin(), token.end());
  const auto implicit_form = parse_seal_signature(with(der::tlv(0x80, implicit_content)));
  REQUIRE(implicit_form.timestamp);
  CHECK(*implicit_form.timestamp == token);
  const auto explicit_form = parse_seal_signature(with(der::tlv(0xA0, der::bit_string(token))));
  REQUIRE(explicit_form.timestamp);
  CHECK(*explicit_form.timestamp == token);
  CHECK(check(with(der::tlv(0xA0, der::bit_string(token)))) == "ok");  // the signature does not cover it
  CHECK(code_of([&] { parse_seal_signature(with(der::tlv(0xA0, der::octet_string(token)))); }) == "malformed");
  CHECK(code_of([&] { parse_seal_signature(with(der::bit_string(token))); }) == "malformed");
}
