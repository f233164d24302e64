// RFC 3161 time-stamps with SM2/SM3 (zhaoyin/trust/timestamp.h): tokens
// issued and verified, every refusal, validation at a past time ("expired
// since"), and an independent check with the openssl command line.
#include <catch2/catch.hpp>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>

#include "pki_fixture.h"
#include "test_support.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

struct Tsa {
  Pki pki;
  Issued tsa = issue(dn("Zhaoyin Sandbox Time-Stamping Authority (SANDBOX)"), CertProfile::TimeStamping, &pki.root,
                     pki.now - kHour, pki.now + 365 * kDay);
  trust::TsaCredential credential() const { return {tsa.cert, tsa.key, {}, std::string(trust::kSandboxTsaPolicy)}; }
  trust::TrustStore anchors() const {
    trust::TrustStore s;
    s.add_root(pki.root.cert);
    return s;
  }
};

trust::TimestampRequest request_for(const trust::Bytes& data) {
  trust::TimestampRequest r;
  r.hashed_message = trust::sm3(data);
  r.nonce = trust::Bytes{0x12, 0x34, 0x56, 0x78, 0x9A};
  r.cert_req = true;
  return r;
}

const trust::Bytes kSignatureValue = trust::to_bytes("the SM2 signature value a time-stamp covers");

}  // namespace

TEST_CASE("a time-stamp token over a signature value verifies and carries the request's nonce") {
  Tsa t;
  const auto token = trust::issue_timestamp_token(t.credential(), request_for(kSignatureValue), {0x01, 0x02}, t.pki.now);
  const auto check = trust::verify_timestamp_token(token, kSignatureValue, t.anchors());
  INFO(check.message);
  REQUIRE(check.ok);
  CHECK(check.token->info.gen_time == t.pki.now);
  CHECK(check.token->info.nonce == trust::Bytes{0x12, 0x34, 0x56, 0x78, 0x9A});
  CHECK(check.tsa_chain.ok);
  // The request and the response round-trip through DER.
  const auto request = request_for(kSignatureValue);
  const auto parsed = trust::parse_timestamp_request(trust::encode_timestamp_request(request));
  CHECK(parsed.nonce == request.nonce);
  CHECK(parsed.cert_req);
  trust::TimestampResponse response;
  response.token = token;
  CHECK(trust::parse_timestamp_response(trust::encode_timestamp_response(response)).token == token);
}

TEST_CASE("forged time-stamps are refused: imprint / TSA signature / TSA without the EKU / untrusted TSA / garbage") {
  Tsa t;
  const auto token = trust::issue_timestamp_token(t.credential(), request_for(kSignatureValue), {0x05}, t.pki.now);
  SECTION("another signature value") {
    CHECK(trust::verify_timestamp_token(token, trust::to_bytes("another"), t.anchors()).code == "timestamp_imprint_mismatch");
  }
  SECTION("a byte of the TSA's signature flipped") {
    auto forged = token;
    forged[forged.size() - 2] ^= 0x01;
    CHECK(trust::verify_timestamp_token(forged, kSignatureValue, t.anchors()).code == "timestamp_bad_signature");
  }
  SECTION("a certificate without id-kp-timeStamping") {
    const Issued plain = issue(dn("Not a TSA"), CertProfile::SealMaker, &t.pki.root, t.pki.now - kHour, t.pki.now + kDay);
    const auto by_plain = trust::issue_timestamp_token({plain.cert, plain.key, {}, std::string(trust::kSandboxTsaPolicy)},
                                                       request_for(kSignatureValue), {0x06}, t.pki.now);
    CHECK(trust::verify_timestamp_token(by_plain, kSignatureValue, t.anchors()).code == "timestamp_tsa_not_authorised");
  }
  SECTION("a TSA under another root") {
    Tsa other;
    CHECK(trust::verify_timestamp_token(token, kSignatureValue, other.anchors()).code == "timestamp_untrusted_tsa");
  }
  SECTION("not a token") {
    CHECK(trust::verify_timestamp_token(kSignatureValue, kSignatureValue, t.anchors()).code == "timestamp_malformed");
    CHECK(error_code_of([&] { trust::parse_timestamp_response(kSignatureValue); }) == "malformed");
  }
}

TEST_CASE("expired since: a signer certificate that expired after its time-stamp still validates at genTime with its evidence") {
  const TimePoint now = now_seconds();
  const auto gen_time = now - 2 * kDay;
  const Issued root = issue(dn("Root CA"), CertProfile::RootCa, nullptr, now - 30 * kDay, now + 3650 * kDay);
  const Issued ca = issue(dn("Issuing CA"), CertProfile::IssuingCa, &root, now - 30 * kDay, now + 1825 * kDay);
  const Issued signer = issue(dn("Signer whose certificate has since expired"), CertProfile::License, &ca,
                              now - 3 * kDay, now - kDay);
  const Issued tsa = issue(dn("TSA"), CertProfile::TimeStamping, &root, now - 10 * kDay, now + kDay);
  // The evidence captured when signing: CRLs current at genTime, superseded since.
  trust::TrustStore evidence;
  evidence.add_root(root.cert);
  evidence.add_intermediate(ca.cert);
  evidence.add_crl(trust::issue_crl(root.cert, root.key, {}, gen_time - kHour, gen_time + kDay, 1));
  evidence.add_crl(trust::issue_crl(ca.cert, ca.key, {}, gen_time - kHour, gen_time + kDay, 1));
  const auto signature_value = signer.key.sign(trust::to_bytes("TBS_Sign"));
  const auto token = trust::issue_timestamp_token({tsa.cert, tsa.key, {}, std::string(trust::kSandboxTsaPolicy)},
                                                  request_for(signature_value), {0x07}, gen_time);
  trust::TrustStore tsa_anchor;
  tsa_anchor.add_root(root.cert);
  const auto check = trust::verify_timestamp_token(token, signature_value, tsa_anchor);
  INFO(check.message);
  REQUIRE(check.ok);
  CHECK(evidence.verify(signer.cert, now).code == "cert_expired");               // at "now": refused
  CHECK(evidence.verify(signer.cert, check.token->info.gen_time).code == "ok");  // at genTime: valid
}

TEST_CASE("independent check of our SM2 tokens with the openssl command line") {
  Tsa t;
  TempDir dir("zhaoyin-ts-openssl");
  const auto data = trust::to_bytes("signature value bytes");
  const auto token = trust::issue_timestamp_token(t.credential(), request_for(data), {0x0A, 0x0B}, t.pki.now);
  trust::TimestampResponse response;
  response.token = token;
  const auto reply = trust::encode_timestamp_response(response);
  const auto path = [&](const char* name) { return quote((dir.path() / name).string()); };
  write_file(dir.path() / "reply.tsr", std::string(reply.begin(), reply.end()));
  write_file(dir.path() / "token.der", std::string(token.begin(), token.end()));
  write_file(dir.path() / "data.bin", std::string(data.begin(), data.end()));
  write_file(dir.path() / "root.pem", t.pki.root.cert.pem());
  write_file(dir.path() / "tsa.pem", t.tsa.cert.pem());
  write_file(dir.path() / "tsa.pub", t.tsa.cert.public_key().public_pem());

  // openssl parses the reply and the TSTInfo as RFC 3161 structures.
  const auto text = run_command(openssl("ts -reply -in " + path("reply.tsr") + " -text"));
  INFO(text.output);
  REQUIRE(text.exit_code == 0);
  CHECK(text.output.find("Status: Granted.") != std::string::npos);
  CHECK(text.output.find("Nonce: 0x123456789A") != std::string::npos);
  CHECK(text.output.find(std::string(trust::kSandboxTsaPolicy)) != std::string::npos);

  // The TSA certificate chains and is a time-stamping certificate (critical EKU) for openssl too.
  const auto chain = run_command(openssl("verify -purpose timestampsign -vfyopt distid:1234567812345678 -CAfile " +
                                         path("root.pem") + " " + path("tsa.pem")));
  INFO(chain.output);
  CHECK(chain.exit_code == 0);

  // The SM2 signature over the DER signed attributes, checked by openssl pkeyutl with the ID set.
  const auto parsed = trust::parse_timestamp_token(token);
  write_file(dir.path() / "attrs.der", std::string(parsed.signed_attributes_der.begin(), parsed.signed_attributes_der.end()));
  write_file(dir.path() / "sig.der", std::string(parsed.signature.begin(), parsed.signature.end()));
  const auto sig = run_command(openssl("pkeyutl -verify -pubin -inkey " + path("tsa.pub") +
                                       " -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in " + path("attrs.der") +
                                       " -sigfile " + path("sig.der")));
  INFO(sig.output);
  CHECK(sig.exit_code == 0);
  CHECK(sig.output.find("Signature Verified Successfully") != std::string::npos);

  // The imprint, as openssl's SM3 computes it, is in the TSTInfo.
  const auto digest = run_command(openssl("dgst -sm3 -r " + path("data.bin")));
  CHECK(digest.output.substr(0, 64) == trust::hex_encode(parsed.info.hashed_message));

  // `openssl ts -verify` cannot check SM2 tokens in OpenSSL 3.0 (docs/SEALS.md):
  // its PKCS#7 verifier hashes SM2 signatures without the distinguishing ID and
  // it has no -vfyopt for the SM2 certificate chain. This records that it still refuses.
  const auto ts_verify = run_command(openssl("ts -verify -data " + path("data.bin") + " -in " + path("reply.tsr") +
                                             " -CAfile " + path("root.pem") + " -untrusted " + path("tsa.pem")));
  INFO(ts_verify.output);
  CHECK(ts_verify.exit_code != 0);
}

namespace {

// The genconf sections of the signed attributes (contentType, messageDigest,
// signingCertificateV2 with an SM3 ESSCertIDv2), shared by the SET that is
// signed and the [0] IMPLICIT copy in the SignerInfo.
std::string attribute_sections(const std::string& message_digest_hex, const std::string& cert_hash_hex) {
  return "[attrs]\nct=SEQUENCE:attr_ct\nmd=SEQUENCE:attr_md\nsc=SEQUENCE:attr_sc\n"
         "[attr_ct]\ntype=OID:1.2.840.113549.1.9.3\nvalues=SET:ct_values\n"
         "[ct_values]\nv=OID:1.2.840.113549.1.9.16.1.4\n"
         "[attr_md]\ntype=OID:1.2.840.113549.1.9.4\nvalues=SET:md_values\n"
         "[md_values]\nv=FORMAT:HEX,OCTETSTRING:" + message_digest_hex + "\n"
         "[attr_sc]\ntype=OID:1.2.840.113549.1.9.16.2.47\nvalues=SET:sc_values\n"
         "[sc_values]\nv=SEQUENCE:signing_cert\n[signing_cert]\ncerts=SEQUENCE:ess_ids\n[ess_ids]\nid=SEQUENCE:ess_id\n"
         "[ess_id]\nalg=SEQUENCE:sm3_alg\nhash=FORMAT:HEX,OCTETSTRING:" + cert_hash_hex + "\n"
         "[sm3_alg]\noid=OID:1.2.156.10197.1.401\n"
         "[sm2_alg]\noid=OID:1.2.156.10197.1.501\n";
}

std::string read_hex(const std::filesystem::path& p) { return trust::hex_encode(trust::to_bytes(read_file(p))); }

// YYYYMMDDHHMMSSZ, as genconf's GENTIME takes it.
std::string generalized_time_text(trust::TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  return std::string(text, std::strftime(text, sizeof text, "%Y%m%d%H%M%SZ", &parts));
}

}  // namespace

TEST_CASE("a token built and SM2-signed by the openssl command line is accepted by our verifier") {
  // OpenSSL 3.0 cannot make an SM2 time-stamp with `ts -reply` or `cms -sign`
  // (docs/SEALS.md), so the token is assembled from openssl's own parts: DER
  // from `asn1parse -genconf`, SM3 from `dgst`, the signature from `pkeyutl`
  // with the distinguishing ID — nothing of ours writes a byte of it.
  Tsa t;
  TempDir dir("zhaoyin-ts-openssl-made");
  const auto f = [&](const char* name) { return dir.path() / name; };
  const auto q = [&](const char* name) { return quote(f(name).string()); };
  const auto data = trust::to_bytes("a signature value stamped by openssl");
  write_file(f("tsa.key"), t.tsa.key.private_pem());
  write_file(f("tsa.der"), trust::to_string(t.tsa.cert.der()));
  write_file(f("data.bin"), trust::to_string(data));
  auto must = [](const std::string& command) {
    const auto r = run_command(command);
    INFO(command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    return r.output;
  };
  const std::string imprint = must(openssl("dgst -sm3 -r " + q("data.bin"))).substr(0, 64);
  write_file(f("tst.cnf"), "asn1=SEQUENCE:tst\n[tst]\nversion=INTEGER:1\npolicy=OID:" + std::string(trust::kSandboxTsaPolicy) +
                               "\nimprint=SEQUENCE:imprint\nserial=INTEGER:0x0A0B0C\ngentime=GENTIME:" + generalized_time_text(t.pki.now) + "\n"
                               "nonce=INTEGER:0x0102030405\n[imprint]\nalg=SEQUENCE:sm3_alg\nhash=FORMAT:HEX,OCTETSTRING:" +
                               imprint + "\n[sm3_alg]\noid=OID:1.2.156.10197.1.401\n");
  must(openssl("asn1parse -genconf " + q("tst.cnf") + " -noout -out " + q("tst.der")));
  const std::string digest = must(openssl("dgst -sm3 -r " + q("tst.der"))).substr(0, 64);
  const std::string cert_hash = must(openssl("dgst -sm3 -r " + q("tsa.der"))).substr(0, 64);
  const std::string sections = attribute_sections(digest, cert_hash);
  write_file(f("attrs.cnf"), "asn1=SET:attrs\n" + sections);
  must(openssl("asn1parse -genconf " + q("attrs.cnf") + " -noout -out " + q("attrs.der")));
  must(openssl("pkeyutl -sign -inkey " + q("tsa.key") + " -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in " +
               q("attrs.der") + " -out " + q("sig.der")));
  // The SignerInfo names the TSA by its subjectKeyIdentifier (version 3, RFC 5652 §5.3).
  const std::string ski = must(openssl("x509 -inform DER -in " + q("tsa.der") + " -noout -ext subjectKeyIdentifier"));
  std::string ski_hex;
  for (char c : ski.substr(ski.find('\n') + 1))
    if (std::isxdigit(static_cast<unsigned char>(c))) ski_hex += c;
  write_file(f("token.cnf"),
             "asn1=SEQUENCE:content_info\n[content_info]\ntype=OID:1.2.840.113549.1.7.2\ncontent=EXPLICIT:0,SEQUENCE:signed_data\n"
             "[signed_data]\nversion=INTEGER:3\ndigests=SET:digest_algs\nencap=SEQUENCE:encap\nsigners=SET:signer_infos\n"
             "[digest_algs]\na=SEQUENCE:sm3_alg\n"
             "[encap]\ntype=OID:1.2.840.113549.1.9.16.1.4\ncontent=EXPLICIT:0,FORMAT:HEX,OCTETSTRING:" + read_hex(f("tst.der")) + "\n"
             "[signer_infos]\nsi=SEQUENCE:signer_info\n"
             "[signer_info]\nversion=INTEGER:3\nsid=IMPLICIT:0,FORMAT:HEX,OCTETSTRING:" + ski_hex + "\n"
             "digest=SEQUENCE:sm3_alg\nattrs=IMPLICIT:0,SET:attrs\nsigalg=SEQUENCE:sm2_alg\n"
             "sig=FORMAT:HEX,OCTETSTRING:" + read_hex(f("sig.der")) + "\n" + sections);
  must(openssl("asn1parse -genconf " + q("token.cnf") + " -noout -out " + q("token.der")));

  const auto token = trust::to_bytes(read_file(f("token.der")));
  const auto check = trust::verify_timestamp_token(token, data, t.anchors(), false, {t.tsa.cert});
  INFO(check.message);
  CHECK(check.ok);
  CHECK(check.token->info.nonce == trust::Bytes{0x01, 0x02, 0x03, 0x04, 0x05});
  // And the same token over other data is refused.
  CHECK(trust::verify_timestamp_token(token, trust::to_bytes("other"), t.anchors(), false, {t.tsa.cert}).code ==
        "timestamp_imprint_mismatch");
}
