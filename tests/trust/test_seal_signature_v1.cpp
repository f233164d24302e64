// GM/T 0031-2014 (v1) SES_Signature: hand-built DER vectors (Zhaoyin never
// writes v1) through the same parse_seal_signature / verify_seal_signature the
// host uses — the shape, every timeInfo form, the signing time left unknown
// rather than guessed, every refusal, and strict DER.
#include <catch2/catch.hpp>

#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include "seal_fixture.h"

using namespace seal_fixture;

namespace {

const TimePoint kSigned = utc(2026, 6, 1) + std::chrono::hours(10);
const std::string kData = "合同正文 contract body";

Bytes data_hash(std::string_view data = kData) { return sm3(Bytes(data.begin(), data.end())); }

// One GM/T 0031-2014 TBS_Sign, field by field; each test changes what it needs.
struct TbsV1 {
  std::int64_t version = 1;
  Bytes seal = build_v1_seal(world().info(), world().maker);
  Bytes time_info = der::utc_time(kSigned);  // the octets inside the timeInfo BIT STRING
  Bytes hash = data_hash();
  Bytes property_info = der::ia5_string("zhaoyin-test:data;byterange=0,26");
  Certificate cert = world().signer.cert;
  std::string alg = std::string(kOidSm2WithSm3);

  Bytes der() const {
    return der::sequence({der::integer(version), seal, der::bit_string(time_info), der::bit_string(hash), property_info,
                          der::octet_string(cert.der()), der::oid(alg)});
  }
};

// SES_Signature ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }, signed over `tbs` as given.
Bytes signed_v1(const Bytes& tbs, const Sm2Key& key = world().signer.key) {
  return der::sequence({tbs, der::bit_string(key.sign(tbs))});
}
Bytes signed_v1(const TbsV1& tbs, const Sm2Key& key = world().signer.key) { return signed_v1(tbs.der(), key); }

std::string check(const Bytes& signature, std::optional<Bytes> hash = std::nullopt, TimePoint now = kNow) {
  return verify_seal_signature(parse_seal_signature(signature), world().trust, hash, true, now).code;
}

Bytes with_trailing_byte(Bytes b) {
  b.push_back(0x00);
  return b;
}

// A CMS ContentInfo { id-signedData, [0] EXPLICIT ... }, the outer shape of an
// RFC 3161 time-stamp token (the content is not read).
Bytes timestamp_token() {
  return der::sequence({der::oid("1.2.840.113549.1.7.2"), der::context(0, der::sequence({der::integer(3)}), true)});
}

}  // namespace

TEST_CASE("Seal signature v1: a GM/T 0031-2014 SES_Signature parses and verifies") {
  const World& w = world();
  const TbsV1 tbs;
  const Bytes der = signed_v1(tbs);
  const ParsedSealSignature p = parse_seal_signature(der);
  CHECK(p.version == 1);
  CHECK(p.seal.version == 1);
  CHECK(p.seal.info.es_id == "42010000000123");
  CHECK(p.time_known);
  CHECK(p.time_form == "utc_time");
  CHECK(p.time == kSigned);
  CHECK(p.time_info == der::utc_time(kSigned));
  CHECK(p.data_hash == data_hash());
  CHECK(p.property_info == "zhaoyin-test:data;byterange=0,26");
  CHECK(p.signer_cert.der() == w.signer.cert.der());  // TBS_Sign.cert, inside the signed part
  CHECK(p.sign_alg_oid == kOidSm2WithSm3);
  CHECK(p.tbs_sign == tbs.der());
  CHECK(p.der == der);
  REQUIRE(kData.size() == 26);
  CHECK_FALSE(p.timestamp);
  CHECK(stated_protection_range(p.property_info) == std::vector<std::uint64_t>{0, 26});

  const SealSignatureCheck result = verify_seal_signature(p, w.trust, data_hash(), true, utc(2029, 1, 1));
  INFO(result.message);
  CHECK(result.ok);
  CHECK(result.signing_time_known);
  CHECK(result.checked_at == kSigned);  // the signing time, not the verification time
  CHECK(check(der) == "ok");
  // The four-argument form (verification time: now) agrees.
  CHECK(verify_seal_signature(p, w.trust, data_hash()).code == "ok");
}

TEST_CASE("Seal signature v1: timeInfo is a UTC time in any of its plain forms") {
  const auto parsed = [](const Bytes& time_info) {
    TbsV1 tbs;
    tbs.time_info = time_info;
    return parse_seal_signature(signed_v1(tbs));
  };
  const auto text = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
  struct Form {
    Bytes octets;
    const char* name;
  };
  for (const Form& f : {Form{der::utc_time(kSigned), "utc_time"}, Form{der::generalized_time(kSigned), "generalized_time"},
                        Form{text("260601100000Z"), "utc_time_text"}, Form{text("20260601100000Z"), "generalized_time_text"}}) {
    INFO(f.name);
    const ParsedSealSignature p = parsed(f.octets);
    CHECK(p.time_known);
    CHECK(p.time_form == f.name);
    CHECK(p.time == kSigned);
    CHECK(p.time_note.empty());
    CHECK(verify_seal_signature(p, world().trust, data_hash(), true, kNow).code == "ok");
  }
}

TEST_CASE("Seal signature v1: a time-stamp token or an unreadable timeInfo leaves the signing time unknown, never guessed") {
  const World& w = world();
  const auto parsed = [](const Bytes& time_info) {
    TbsV1 tbs;
    tbs.time_info = time_info;
    return parse_seal_signature(signed_v1(tbs));
  };
  const auto text = [](std::string_view s) { return Bytes(s.begin(), s.end()); };

  SECTION("an RFC 3161 time-stamp token (not verified yet)") {
    const ParsedSealSignature p = parsed(timestamp_token());
    CHECK_FALSE(p.time_known);
    CHECK(p.time_form == "timestamp_token");
    CHECK(p.time_info == timestamp_token());
    CHECK(p.time_note.find("time-stamp token") != std::string::npos);
    // Checked at the verification time, and the result says so.
    const SealSignatureCheck at_now = verify_seal_signature(p, w.trust, data_hash(), true, kNow);
    INFO(at_now.message);
    CHECK(at_now.ok);
    CHECK_FALSE(at_now.signing_time_known);
    CHECK(at_now.checked_at == kNow);
    CHECK(at_now.message.find("verification time") != std::string::npos);
    CHECK(seal_signature_check_time(p, kNow) == kNow);
    // After the seal expired, an unknown signing time cannot save it.
    CHECK(verify_seal_signature(p, w.trust, data_hash(), true, utc(2030, 6, 1)).code == "seal_seal_expired");
  }
  SECTION("a local time with no zone (some writers put \"yyyy-MM-dd HH:mm:ss\" there)") {
    const ParsedSealSignature p = parsed(text("2026-06-01 18:00:00"));
    CHECK_FALSE(p.time_known);
    CHECK(p.time_form == "unrecognised");
    CHECK(p.time_note.find("\"2026-06-01 18:00:00\"") != std::string::npos);
    CHECK(check(signed_v1([&] { TbsV1 t; t.time_info = text("2026-06-01 18:00:00"); return t; }())) == "ok");
  }
  SECTION("other octets: empty, binary, a UTC time with a byte after it, an impossible date, a time with an offset") {
    for (const Bytes& octets : {Bytes{}, Bytes{0x01, 0x02, 0x03}, with_trailing_byte(der::utc_time(kSigned)),
                                text("261301100000Z"), text("260601100000+0800"), der::sequence({der::integer(1)})}) {
      const ParsedSealSignature p = parsed(octets);
      CHECK_FALSE(p.time_known);
      CHECK(p.time_form == "unrecognised");
      CHECK_FALSE(p.time_note.empty());
    }
  }
}

TEST_CASE("Seal signature v1: refusals name what failed") {
  const World& w = world();
  const TbsV1 tbs;

  SECTION("other data than was signed") {
    CHECK(check(signed_v1(tbs), data_hash("another document")) == "data_hash_mismatch");
  }
  SECTION("a flipped byte in the signature value") {
    Bytes der = signed_v1(tbs);
    der.back() ^= 0x01;
    CHECK(check(der) == "bad_signature");
  }
  SECTION("a signature by another key than TBS_Sign.cert's") {
    CHECK(check(signed_v1(tbs, w.other_signer.key)) == "bad_signature");
  }
  SECTION("a TBS_Sign changed after signing (another propertyInfo under the original signature)") {
    TbsV1 changed = tbs;
    changed.property_info = der::ia5_string("zhaoyin-test:data;byterange=0,20");
    CHECK(check(der::sequence({changed.der(), der::bit_string(w.signer.key.sign(tbs.der()))})) == "bad_signature");
  }
  SECTION("a signer the seal does not list") {
    TbsV1 other = tbs;
    other.cert = w.other_signer.cert;
    CHECK(check(signed_v1(other, w.other_signer.key)) == "signer_not_authorised");
  }
  SECTION("signed after the seal expired (UTCTime 2030-06-01)") {
    TbsV1 late = tbs;
    late.time_info = der::utc_time(utc(2030, 6, 1));
    CHECK(check(signed_v1(late)) == "seal_seal_expired");
  }
  SECTION("a v1 seal whose maker signature does not verify") {
    TbsV1 bad = tbs;
    bad.seal.back() ^= 0x01;  // the end of the maker's signData
    CHECK(check(signed_v1(bad)) == "seal_bad_signature");
  }
  SECTION("a v1 seal by an untrusted maker") {
    const Issued rogue_root = issue("Rogue Root", CertProfile::RootCa, nullptr);
    const Issued rogue_maker = issue("Rogue Maker", CertProfile::SealMaker, &rogue_root);
    TbsV1 rogue = tbs;
    rogue.seal = build_v1_seal(w.info(), rogue_maker);
    CHECK(check(signed_v1(rogue)) == "seal_untrusted_chain");
  }
  SECTION("another signature algorithm than SM2-with-SM3") {
    TbsV1 ecdsa = tbs;
    ecdsa.alg = "1.2.840.10045.4.3.2";
    CHECK(check(signed_v1(ecdsa)) == "unsupported_algorithm");
  }
}

TEST_CASE("Seal signature v1: strict DER and the standard's shape, or malformed") {
  const World& w = world();
  const TbsV1 tbs;
  const Bytes good = signed_v1(tbs);
  const auto malformed = [](const Bytes& der) { return code_of([&] { parse_seal_signature(der); }) == "malformed"; };

  SECTION("a byte after the DER value") { CHECK(malformed(with_trailing_byte(good))); }
  SECTION("the outer length in a needlessly long form (30 82 HH LL -> 30 83 00 HH LL)") {
    REQUIRE(good[1] == 0x82);
    Bytes loose = good;
    loose[1] = 0x83;
    loose.insert(loose.begin() + 2, 0x00);
    CHECK(malformed(loose));
  }
  SECTION("a non-minimal length inside TBS_Sign, signed over exactly those bytes") {
    TbsV1 loose = tbs;
    const std::string text = "zhaoyin-test:data;byterange=0,26";
    loose.property_info = {0x16, 0x81, static_cast<std::uint8_t>(text.size())};
    loose.property_info.insert(loose.property_info.end(), text.begin(), text.end());
    CHECK(malformed(signed_v1(loose)));
  }
  SECTION("every truncation") {
    for (std::size_t cut = 0; cut < good.size(); cut += 97) {
      INFO("length " << cut);
      CHECK(malformed(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut))));
    }
  }
  SECTION("a version of the GB/T 38540 family, or none, in the v1 shape") {
    for (const std::int64_t v : {0, 4, 5, -1}) {
      TbsV1 t = tbs;
      t.version = v;
      INFO("version " << v);
      CHECK(malformed(signed_v1(t)));
    }
    TbsV1 three = tbs;  // deployed GM/T 0031 systems also wrote 2 and 3
    three.version = 3;
    CHECK(parse_seal_signature(signed_v1(three)).version == 1);
  }
  SECTION("a v4 seal in a v1 signature, and a v1 seal in a v4 signature") {
    TbsV1 v4_seal = tbs;
    v4_seal.seal = w.seal();
    CHECK(malformed(signed_v1(v4_seal)));
    const Bytes v4_tbs = der::sequence({der::integer(4), build_v1_seal(w.info(), w.maker), der::generalized_time(kSigned),
                                        der::bit_string(data_hash()), der::ia5_string("x")});
    CHECK(malformed(der::sequence({v4_tbs, der::octet_string(w.signer.cert.der()), der::oid(kOidSm2WithSm3),
                                   der::bit_string(w.signer.key.sign(v4_tbs))})));
  }
  SECTION("TBS_Sign with a field missing or one too many; SES_Signature with three elements") {
    const Bytes copy = tbs.der();
    const auto f = der::parse(copy).children();
    std::vector<Bytes> six;
    for (std::size_t i = 0; i + 1 < f.size(); ++i) six.push_back(f[i].raw_bytes());
    CHECK(malformed(signed_v1(der::sequence(six))));
    std::vector<Bytes> eight = six;
    eight.push_back(f.back().raw_bytes());
    eight.push_back(der::tlv(der::kNull, {}));
    CHECK(malformed(signed_v1(der::sequence(eight))));
    CHECK(malformed(der::sequence({tbs.der(), der::bit_string({0x30, 0x00}), der::bit_string({0x30, 0x00})})));
  }
  SECTION("wrong types") {
    TbsV1 utf8 = tbs;
    utf8.property_info = der::utf8_string("zhaoyin-test:data");
    CHECK(malformed(signed_v1(utf8)));
    // timeInfo as a bare UTCTime instead of a BIT STRING holding one.
    const Bytes copy = tbs.der();
    const auto f = der::parse(copy).children();
    std::vector<Bytes> fields;
    for (const auto& e : f) fields.push_back(e.raw_bytes());
    fields[2] = der::utc_time(kSigned);
    CHECK(malformed(signed_v1(der::sequence(fields))));
    // timeInfo with unused bits.
    fields[2] = der::tlv(der::kBitString, {0x04, 0x32, 0x36, 0x30});
    CHECK(malformed(signed_v1(der::sequence(fields))));
    // The signature as an OCTET STRING.
    CHECK(malformed(der::sequence({tbs.der(), der::octet_string(w.signer.key.sign(tbs.der()))})));
  }
  SECTION("a cert that is not a certificate") {
    const Bytes copy = tbs.der();
    const auto f = der::parse(copy).children();
    std::vector<Bytes> fields;
    for (const auto& e : f) fields.push_back(e.raw_bytes());
    fields[5] = der::octet_string({0x30, 0x03, 0x02, 0x01, 0x01});
    CHECK(malformed(signed_v1(der::sequence(fields))));
  }
}
