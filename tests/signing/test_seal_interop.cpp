// GB/T 38540-2020 seals and seal signatures checked by an implementation that
// is not ours, both ways (tests/signing/interop: asn1js + sm-crypto in Node,
// written from the standard's ASN.1):
//   1. Zhaoyin makes a seal, a detached SES_Signature, a PDF signed twice
//      (incremental updates) and negative vectors; the Node reader verifies
//      them and must answer the code this test expects for each.
//   2. The Node side makes its own PKI with the openssl command line, builds a
//      seal, a SES_Signature and the same kinds of negative vectors; Zhaoyin
//      parses and verifies them and must answer the codes Node's manifest names.
// Negative vectors: a flipped byte in signedValue / signature, a maker
// signature over the pre-issue-18 SEQUENCE { eSealInfo, cert, signAlgID }, a
// wrong protection range in propertyInfo, a non-minimal DER length (outside
// and inside the signed SES_SealInfo), trailing bytes after the DER.
//   3. GM/T 0031-2014 (v1): Node builds v1 seals and SES_Signatures from that
//      standard's ASN.1 (interop/ses_v1.js) — timeInfo as a DER UTCTime, as
//      its bare text and as a time-stamp token — and v1 negative vectors
//      (flipped byte, wrong data, trailing bytes, non-minimal lengths, a seal
//      signed the v4 way, a v4 seal inside); Zhaoyin must answer the codes
//      and signing times the manifest names. Zhaoyin never writes v1.
//   4. The host's POST /api/v1/signatures/verify accepts a v1 SES_Signature
//      Node builds with the sandbox's seal maker for a sandbox holder (who
//      signs Node's TBS_Sign with its wallet), and refuses it altered.
#include <catch2/catch.hpp>

#include <cairo-pdf.h>
#include <cairo.h>
#include <cmath>
#include <nlohmann/json.hpp>
#include <test_support.h>
#include <zhaoyin/pdf/pdf_signing.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/x509.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using trust::Bytes;

namespace {

std::string node_side(const std::string& args) {
  return "sh " + quote(std::string(ZHAOYIN_SOURCE_DIR) + "/tests/signing/interop/run.sh") + " " + args;
}

trust::TimePoint now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

Bytes file_bytes(const fs::path& p) {
  const std::string s = read_file(p);
  return Bytes(s.begin(), s.end());
}

void save(const fs::path& p, const Bytes& b) { write_file(p, std::string(b.begin(), b.end())); }

Bytes flip_last(Bytes b) {
  b.back() ^= 0x01;
  return b;
}

// 30 82 HH LL … → 30 83 00 HH LL …: the same value with a needlessly long length.
Bytes non_minimal_outer(const Bytes& b) {
  REQUIRE(b.size() > 4);
  REQUIRE(b[0] == 0x30);
  REQUIRE(b[1] == 0x82);
  Bytes out = {0x30, 0x83, 0x00};
  out.insert(out.end(), b.begin() + 2, b.end());
  return out;
}

Bytes with_trailing_byte(Bytes b) {
  b.push_back(0x00);
  return b;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<Bytes*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

Bytes one_page_pdf() {
  Bytes out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append_bytes, &out, 595.28, 841.89);
  cairo_t* cr = cairo_create(surface);
  cairo_set_font_size(cr, 18);
  cairo_move_to(cr, 72, 100);
  cairo_show_text(cr, "Seal interop test contract");
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

Bytes red_dot_png() {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 64);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 1.0);
  cairo_arc(cr, 32, 32, 28, 0, 2 * M_PI);
  cairo_fill(cr);
  cairo_destroy(cr);
  Bytes out;
  cairo_surface_write_to_png_stream(s, append_bytes, &out);
  cairo_surface_destroy(s);
  return out;
}

struct Issued {
  trust::Sm2Key key;
  trust::Certificate cert;
};

Issued issue(const std::string& cn, trust::CertProfile profile, const Issued* issuer, trust::TimePoint now) {
  Issued out{trust::Sm2Key::generate(), {}};
  trust::CertificateRequest request;
  request.subject = trust::DistinguishedName{{{"C", "CN"}, {"O", "Zhaoyin Sandbox (interop test)"}, {"CN", cn}}};
  request.subject_key = out.key;
  request.profile = profile;
  request.not_before = now - std::chrono::hours(24);
  request.not_after = now + std::chrono::hours(24 * 365);
  out.cert = issuer ? trust::issue_certificate(request, issuer->key, &issuer->cert)
                    : trust::issue_certificate(request, out.key, nullptr);
  return out;
}

// The data property info this test states, like the host's for data tasks.
std::string data_property(std::size_t length) { return trust::data_property_info("interop", length); }

// Zhaoyin's verdict on one of Node's files, in Zhaoyin's codes.
std::string zhaoyin_verdict(const fs::path& dir, const json& entry, const trust::TrustStore& trust_store,
                            trust::TimePoint at) {
  const Bytes bytes = file_bytes(dir / entry["file"].get<std::string>());
  try {
    if (entry["kind"] == "seal") return trust::verify_seal(trust::parse_seal(bytes), trust_store, at, false).code;
    const Bytes data = file_bytes(dir / entry["data"].get<std::string>());
    const auto sig = trust::parse_seal_signature(bytes);
    const auto check = trust::verify_seal_signature(sig, trust_store, trust::sm3(data), false);
    if (!check.ok) return check.code;
    // The host's report compares a stated protection range with the hashed one.
    const auto stated = trust::stated_protection_range(sig.property_info);
    if (!stated) return "no_protection_range";
    if (*stated != std::vector<std::uint64_t>{0, data.size()}) return "protection_range_mismatch";
    return "ok";
  } catch (const trust::TrustError& e) {
    return e.code();
  }
}

}  // namespace

TEST_CASE("Node (asn1js + sm-crypto) verifies Zhaoyin's seals, SES_Signatures and signed PDF, and refuses the negative vectors") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  const auto now = now_seconds();
  const Issued root = issue("Zhaoyin Interop Root CA", trust::CertProfile::RootCa, nullptr, now);
  const Issued maker = issue("Zhaoyin Interop Seal Maker", trust::CertProfile::SealMaker, &root, now);
  const Issued signer = issue("照印互操作测试有限公司", trust::CertProfile::License, &root, now);
  write_file(dir / "ca.pem", root.cert.pem());

  trust::SealInfo info;
  info.es_id = "42010099990001";
  info.name = "照印互操作测试有限公司合同专用章";
  info.signer_certs = {signer.cert};
  info.created = now;
  info.valid_start = now - std::chrono::hours(1);
  info.valid_end = now + std::chrono::hours(24 * 300);
  info.picture.data = red_dot_png();
  const Bytes seal = trust::build_seal_v4(info, maker.key, maker.cert);

  // The maker's signature the way Zhaoyin made it before issue 18.
  const Bytes seal_copy = seal;  // the Elements below point into it
  const auto parts = trust::der::parse(seal_copy).children();
  const Bytes wrapped_tbs = trust::der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes()});
  const Bytes seal_wrapped = trust::der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes(),
                                                   trust::der::bit_string(maker.key.sign(wrapped_tbs))});

  // A needlessly long length inside the SES_SealInfo ("ES" as 16 81 02), signed
  // over exactly those bytes: a BER reader would verify it, DER readers refuse it.
  const auto info_fields = parts[0].children();
  const auto header_fields = info_fields[0].children();
  Bytes header_content = {0x16, 0x81, 0x02, 'E', 'S'};
  for (std::size_t i = 1; i < header_fields.size(); ++i) {
    const Bytes field = header_fields[i].raw_bytes();
    header_content.insert(header_content.end(), field.begin(), field.end());
  }
  std::vector<Bytes> info_parts = {trust::der::tlv(0x30, header_content)};
  for (std::size_t i = 1; i < info_fields.size(); ++i) info_parts.push_back(info_fields[i].raw_bytes());
  const Bytes loose_info = trust::der::sequence(info_parts);
  const Bytes seal_loose = trust::der::sequence({loose_info, parts[1].raw_bytes(), parts[2].raw_bytes(),
                                                 trust::der::bit_string(maker.key.sign(loose_info))});

  const std::string text = R"({"contract":"interop","amount":"100.00"})";
  const Bytes data(text.begin(), text.end());
  const auto sign = [&](const Bytes& with_seal, const std::string& property, const Bytes& hash) {
    trust::SignatureRequest r;
    r.seal_der = with_seal;
    r.time = now;
    r.data_hash = hash;
    r.property_info = property;
    return trust::sign_seal_signature_v4(r, signer.key, signer.cert);
  };
  const Bytes sig = sign(seal, data_property(data.size()), trust::sm3(data));

  // A PDF signed twice, each signature an incremental update over the one before.
  Bytes pdf_bytes = one_page_pdf();
  for (int i = 0; i < 2; ++i) {
    pdf::Placement placement;
    placement.x_mm = 20 + 60 * i;
    placement.y_mm = 200;
    pdf::SignatureMeta meta;
    meta.signer_name = "照印互操作测试有限公司";
    auto prepared = pdf::prepare_signature(pdf_bytes, placement, red_dot_png(), meta, 8192);
    const auto& br = prepared.byte_range;
    const std::string property = "zhaoyin:pdf;task=interop;byterange=" + std::to_string(br[0]) + "," +
                                 std::to_string(br[1]) + "," + std::to_string(br[2]) + "," + std::to_string(br[3]);
    pdf_bytes = pdf::complete_signature(prepared, sign(seal, property, prepared.digest));
  }

  const std::map<std::string, Bytes> files = {
      {"data.bin", data},
      {"seal.der", seal},
      {"seal-flipped.der", flip_last(seal)},
      {"seal-wrapped.der", seal_wrapped},
      {"seal-nonminimal.der", non_minimal_outer(seal)},
      {"seal-trailing.der", with_trailing_byte(seal)},
      {"seal-nonminimal-signed.der", seal_loose},
      {"sig.der", sig},
      {"sig-flipped.der", flip_last(sig)},
      {"sig-wrong-range.der", sign(seal, data_property(data.size() + 1), trust::sm3(data))},
      {"sig-wrapped-seal.der", sign(seal_wrapped, data_property(data.size()), trust::sm3(data))},
      {"sig-nonminimal.der", non_minimal_outer(sig)},
      {"sig-trailing.der", with_trailing_byte(sig)},
      {"signed.pdf", pdf_bytes},
  };
  for (const auto& [name, bytes] : files) save(dir / name, bytes);

  const json manifest = {
      {"trust", {"ca.pem"}},
      {"entries",
       {
           // expect: Node's answer; zhaoyin: Zhaoyin's own answer on the same bytes.
           {{"file", "seal.der"}, {"kind", "seal"}, {"expect", "ok"}, {"zhaoyin", "ok"}},
           {{"file", "seal-flipped.der"}, {"kind", "seal"}, {"expect", "bad_seal_signature"}, {"zhaoyin", "bad_signature"}},
           {{"file", "seal-wrapped.der"}, {"kind", "seal"}, {"expect", "bad_seal_signature"}, {"zhaoyin", "bad_signature"}},
           {{"file", "seal-nonminimal.der"}, {"kind", "seal"}, {"expect", "malformed"}, {"zhaoyin", "malformed"}},
           {{"file", "seal-trailing.der"}, {"kind", "seal"}, {"expect", "malformed"}, {"zhaoyin", "malformed"}},
           {{"file", "seal-nonminimal-signed.der"}, {"kind", "seal"}, {"expect", "malformed"}, {"zhaoyin", "malformed"}},
           {{"file", "sig.der"}, {"kind", "signature"}, {"data", "data.bin"}, {"expect", "ok"}, {"zhaoyin", "ok"}},
           {{"file", "sig-flipped.der"}, {"kind", "signature"}, {"data", "data.bin"}, {"expect", "bad_signature"},
            {"zhaoyin", "bad_signature"}},
           {{"file", "sig-wrong-range.der"}, {"kind", "signature"}, {"data", "data.bin"}, {"expect", "protection_range_mismatch"},
            {"zhaoyin", "protection_range_mismatch"}},
           {{"file", "sig-wrapped-seal.der"}, {"kind", "signature"}, {"data", "data.bin"}, {"expect", "seal_bad_seal_signature"},
            {"zhaoyin", "seal_bad_signature"}},
           {{"file", "sig-nonminimal.der"}, {"kind", "signature"}, {"data", "data.bin"}, {"expect", "malformed"},
            {"zhaoyin", "malformed"}},
           {{"file", "sig-trailing.der"}, {"kind", "signature"}, {"data", "data.bin"}, {"expect", "malformed"},
            {"zhaoyin", "malformed"}},
           {{"file", "signed.pdf"}, {"kind", "pdf"}, {"expect", {"ok", "ok"}}},
       }},
  };
  write_file(dir / "manifest.json", manifest.dump(1));

  // Every vector through Zhaoyin too (same verdicts, its own codes).
  trust::TrustStore own;
  own.add_root(root.cert);
  for (const auto& entry : manifest["entries"]) {
    INFO(entry.dump());
    if (entry["kind"] == "pdf") {
      const auto found = pdf::find_signatures(pdf_bytes);
      REQUIRE(found.size() == 2);
      for (const auto& f : found) {
        const auto parsed = trust::parse_seal_signature(f.contents);
        CHECK(trust::verify_seal_signature(parsed, own, f.digest, false).code == "ok");
        CHECK(trust::stated_protection_range(parsed.property_info) ==
              std::vector<std::uint64_t>(f.byte_range.begin(), f.byte_range.end()));
      }
      continue;
    }
    CHECK(zhaoyin_verdict(dir, entry, own, now) == entry["zhaoyin"].get<std::string>());
  }

  const auto r = run_command(node_side("verify " + quote(dir.string())));
  INFO(r.output);
  REQUIRE(r.output.find("{\"results\"") != std::string::npos);
  const json results = json::parse(r.output.substr(r.output.find("{\"results\"")))["results"];
  REQUIRE(results.size() == manifest["entries"].size());
  for (const auto& result : results) {
    INFO(result.dump());
    CHECK(result["pass"] == true);
  }
  CHECK(r.exit_code == 0);
}

TEST_CASE("Zhaoyin verifies the seal and SES_Signature Node builds (openssl CLI PKI), and refuses Node's negative vectors") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "node";
  const auto r = run_command(node_side("build " + quote(dir.string())));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);  // Node's own verifier agreed with its manifest first

  const json manifest = json::parse(read_file(dir / "manifest.json"));
  trust::TrustStore trust_store;
  // The test configures trust in Node's root; revocation is not part of this
  // exchange (Node's PKI publishes no CRL), so CRLs are not required here.
  trust_store.add_root(trust::Certificate::from_pem(read_file(dir / "root.pem")));
  const auto at = now_seconds();
  int ok = 0;
  int expected_ok = 0;
  int v1 = 0;
  for (const auto& entry : manifest["entries"]) {
    INFO(entry.dump());
    const std::string verdict = zhaoyin_verdict(dir, entry, trust_store, at);
    CHECK(verdict == entry["zhaoyin"].get<std::string>());
    ok += verdict == "ok";
    expected_ok += entry["zhaoyin"] == "ok";
    // For v1 signatures the manifest names the signing time Zhaoyin must read
    // from timeInfo, or null where it must say the time is unknown.
    if (entry.contains("time") && verdict != "malformed") {
      const auto sig = trust::parse_seal_signature(file_bytes(dir / entry["file"].get<std::string>()));
      CHECK(sig.version == 1);
      CHECK(sig.seal.version == 1);
      ++v1;
      if (entry["time"].is_null()) {
        CHECK_FALSE(sig.time_known);
        CHECK(sig.time_form == "timestamp_token");
        const auto check = trust::verify_seal_signature(sig, trust_store, std::nullopt, false, at);
        CHECK_FALSE(check.signing_time_known);
        CHECK(check.checked_at == at);
      } else {
        CHECK(sig.time_known);
        CHECK(protocol::rfc3339(sig.time) == entry["time"].get<std::string>().substr(0, 19) + "Z");
      }
    }
  }
  CHECK(ok == expected_ok);
  CHECK(ok == 6);  // the good v4 seal and signature; the v1 seal and its signatures with three timeInfo forms
  CHECK(v1 == 6);  // the good v1 signatures, the wrong data, the flipped one, the seal signed the v4 way
}

TEST_CASE("POST /api/v1/signatures/verify accepts a GM/T 0031-2014 (v1) SES_Signature Node builds with the sandbox's seal maker") {
  auto& env = SigningEnv::get();
  TempDir tmp;
  const fs::path dir = tmp.path();
  const auto holder = env.wallet("李娜");
  const fs::path authority = env.sandbox() / "authority";
  fs::copy_file(authority / "seal-maker.pem", dir / "seal-maker.pem");
  fs::copy_file(authority / "seal-maker.key", dir / "seal-maker.key");
  write_file(dir / "signer.pem", holder.certificate().pem());
  const std::string text = R"({"contract":"GM/T 0031 interop","amount":"8.00"})";
  const Bytes data(text.begin(), text.end());
  save(dir / "data.bin", data);
  write_file(dir / "input.json", json{{"maker_cert", "seal-maker.pem"}, {"maker_key", "seal-maker.key"},
                                      {"signer_cert", "signer.pem"}, {"data", "data.bin"},
                                      {"es_id", "42010099990431"}, {"name", "武汉长江云数科技有限公司合同专用章（GM/T 0031 测试）"}}
                                     .dump());
  auto r = run_command(node_side("v1-sandbox " + quote(dir.string())));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto made = json::parse(r.output.substr(r.output.find('{')));
  // The holder signs Node's TBS_Sign with its wallet key; Node assembles the SES_Signature.
  save(dir / "signature.der", holder.sign(file_bytes(dir / "tbs-v1.der")));
  r = run_command(node_side("v1-assemble " + quote(dir.string())));
  REQUIRE(r.exit_code == 0);
  const Bytes ses = file_bytes(dir / "sig-v1.der");

  const auto verify = [&](const Bytes& signed_data, const Bytes& signature) {
    const auto reply = http("POST", env.url("/api/v1/signatures/verify"),
                            json{{"data", b64(signed_data)}, {"signature", b64(signature)}}.dump(), bearer(env.token("tax")));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    return reply.as_json()["signatures"][0];
  };
  const json good = verify(data, ses);
  INFO(good.dump(1));
  CHECK(good["indication"] == "TOTAL_PASSED");
  CHECK(good["code"] == "ok");
  CHECK(good["format"] == "GM/T 0031-2014 SES_Signature v1");
  CHECK(good["seal"]["version"] == 1);
  CHECK(good["seal"]["es_id"] == "42010099990431");
  CHECK(good["seal"]["maker"]["signature_valid"] == true);
  CHECK(good["signer"]["listed_in_seal"] == true);
  CHECK(good["signer"]["chain"]["result"] == "passed");
  CHECK(good["signing_time_known"] == true);
  CHECK(good["signing_time"] == made["time"].get<std::string>().substr(0, 19) + "Z");
  CHECK(good["protection_range"]["matches"] == true);

  Bytes flipped = ses;
  flipped.back() ^= 0x01;
  CHECK(verify(data, flipped)["code"] == "bad_signature");
  CHECK(verify(trust::to_bytes(text + " "), ses)["code"] == "data_hash_mismatch");
  CHECK(verify(data, with_trailing_byte(ses))["code"] == "malformed");
}

TEST_CASE("OpenSSL's command line verifies a Zhaoyin seal's signedValue over exactly DER(SES_SealInfo), not over the old wrapped SEQUENCE") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  const auto now = now_seconds();
  const Issued root = issue("Zhaoyin Interop Root CA", trust::CertProfile::RootCa, nullptr, now);
  const Issued maker = issue("Zhaoyin Interop Seal Maker", trust::CertProfile::SealMaker, &root, now);
  const Issued signer = issue("照印互操作测试有限公司", trust::CertProfile::License, &root, now);
  trust::SealInfo info;
  info.es_id = "42010099990002";
  info.name = "照印互操作测试有限公司财务专用章";
  info.signer_certs = {signer.cert};
  info.created = now;
  info.valid_start = now;
  info.valid_end = now + std::chrono::hours(24);
  info.picture.data = red_dot_png();
  const Bytes seal = trust::build_seal_v4(info, maker.key, maker.cert);
  const auto parts = trust::der::parse(seal).children();
  save(dir / "sealinfo.der", parts[0].raw_bytes());
  save(dir / "wrapped.der", trust::der::sequence({parts[0].raw_bytes(), parts[1].raw_bytes(), parts[2].raw_bytes()}));
  save(dir / "signedvalue.der", parts[3].as_bits());
  write_file(dir / "maker.pub", maker.cert.public_key().public_pem());
  const auto pkeyutl = [&](const std::string& input) {
    return run_command("/usr/bin/openssl pkeyutl -verify -pubin -inkey " + quote((dir / "maker.pub").string()) +
                       " -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in " + quote((dir / input).string()) +
                       " -sigfile " + quote((dir / "signedvalue.der").string()));
  };
  const auto good = pkeyutl("sealinfo.der");
  INFO(good.output);
  CHECK(good.exit_code == 0);
  CHECK(good.output.find("Signature Verified Successfully") != std::string::npos);
  CHECK(pkeyutl("wrapped.der").exit_code != 0);
}
