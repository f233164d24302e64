// POST /api/v1/signatures/verify and what tools that are not ours make of the
// signed PDF: a PDF altered after signing, a flipped byte, a seal made by an
// untrusted maker and a revoked signer each fail with their own reason; qpdf
// --check, pdfsig, pdftotext, pdftoppm and openssl asn1parse accept our output.
#include <catch2/catch.hpp>
#include <algorithm>
#include <sstream>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

// One signed two-seal PDF for the whole file (signing takes a moment).
const trust::Bytes& signed_pdf() {
  static trust::Bytes pdf;
  if (pdf.empty()) {
    auto& env = SigningEnv::get();
    const auto t = env.create_pdf_task("tax", {"contract", "legal_rep"}, "all_of",
                                       {{"placements", {{"contract", {{"page", 2}, {"x_mm", 30}, {"y_mm", 60}}},
                                                        {"legal_rep", {{"page", 2}, {"x_mm", 110}, {"y_mm", 60}}}}}});
    if (env.sign_task(t, "李娜", "contract").status != 200) throw std::runtime_error("contract seal");
    if (env.sign_task(t, "张志伟", "legal_rep").status != 200) throw std::runtime_error("legal_rep seal");
    pdf = env.document("tax", t["id"]);
  }
  return pdf;
}

json verify_detached(const trust::Bytes& data, const trust::Bytes& ses) {
  auto& env = SigningEnv::get();
  const auto r = http("POST", env.url("/api/v1/signatures/verify"), json{{"data", b64(data)}, {"signature", b64(ses)}}.dump(),
                      bearer(env.token("tax")));
  if (r.status != 200) throw std::runtime_error("verify: " + r.body);
  return r.as_json()["signatures"][0];
}

}  // namespace

TEST_CASE("the signed PDF passes qpdf --check / pdfsig lists both fields / pdftotext reads it / pdftoppm renders the seal") {
  TempDir dir("signing-interop");
  const auto file = dir.path() / "signed.pdf";
  write_file(file, trust::to_string(signed_pdf()));
  auto r = run_command("qpdf --check " + quote(file.string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("No syntax or stream encoding errors") != std::string::npos);
  r = run_command("pdfsig " + quote(file.string()));
  INFO(r.output);
  CHECK(r.output.find("Signature #1") != std::string::npos);
  CHECK(r.output.find("Signature #2") != std::string::npos);
  CHECK(r.output.find("ZhaoyinSeal1") != std::string::npos);
  CHECK(r.output.find("ZhaoyinSeal2") != std::string::npos);
  r = run_command("pdftotext " + quote(file.string()) + " -");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("甲方：武汉长江云数科技有限公司") != std::string::npos);
  // Page 2 rendered at 36 dpi (298 x 421): the contract seal sits at 30..72 mm
  // from the left, 60..102 mm from the top; its impression is red.
  r = run_command("pdftoppm -f 2 -l 2 -r 36 -png " + quote(file.string()) + " " + quote((dir.path() / "page").string()));
  REQUIRE(r.exit_code == 0);
  const auto png = dir.path() / "page-2.png";
  REQUIRE(std::filesystem::exists(png));
  // Keep a copy to look at (the build's test output folder).
  std::filesystem::copy_file(png, std::filesystem::path(ZHAOYIN_BIN) / "signing-page-2.png",
                             std::filesystem::copy_options::overwrite_existing);
  r = run_command("python3 -c " + quote(
      "import sys,zlib,struct\n"
      "d=open(sys.argv[1],'rb').read()\n"
      "w,h,bd,ct=struct.unpack('>IIBB',d[16:26])\n"
      "i=8;idat=b''\n"
      "while i<len(d):\n"
      "  n=struct.unpack('>I',d[i:i+4])[0];t=d[i+4:i+8]\n"
      "  if t==b'IDAT': idat+=d[i+8:i+8+n]\n"
      "  i+=12+n\n"
      "raw=zlib.decompress(idat);bpp=3;stride=w*bpp;rows=[];prev=bytearray(stride);p=0\n"
      "for y in range(h):\n"
      "  f=raw[p];line=bytearray(raw[p+1:p+1+stride]);p+=1+stride\n"
      "  for x in range(stride):\n"
      "    a=line[x-bpp] if x>=bpp else 0;b=prev[x];c=prev[x-bpp] if x>=bpp else 0\n"
      "    if f==1: line[x]=(line[x]+a)&255\n"
      "    elif f==2: line[x]=(line[x]+b)&255\n"
      "    elif f==3: line[x]=(line[x]+(a+b)//2)&255\n"
      "    elif f==4:\n"
      "      pa=abs(b-c);pb=abs(a-c);pc=abs(a+b-2*c)\n"
      "      line[x]=(line[x]+(a if pa<=pb and pa<=pc else b if pb<=pc else c))&255\n"
      "  rows.append(line);prev=line\n"
      "def red(x0,y0,x1,y1):\n"
      "  n=0\n"
      "  for y in range(int(y0*h/297),int(y1*h/297)):\n"
      "    for x in range(int(x0*w/210),int(x1*w/210)):\n"
      "      r,g,b=rows[y][3*x:3*x+3]\n"
      "      if r>150 and g<110 and b<110: n+=1\n"
      "  return n\n"
      "print(red(30,60,72,102),red(110,60,152,102),red(30,200,72,242))\n") + " " + quote(png.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  int inside = 0, second = 0, elsewhere = -1;
  std::istringstream(r.output) >> inside >> second >> elsewhere;
  CHECK(inside > 20);
  CHECK(second > 20);
  CHECK(elsewhere == 0);
}

TEST_CASE("the SES_Signature DER parses with openssl asn1parse") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  TempDir dir("signing-asn1");
  const auto file = dir.path() / "signature.ses";
  write_file(file, trust::to_string(env.document("tax", t["id"], "?signature=1")));
  const auto r = run_command("openssl asn1parse -inform DER -in " + quote(file.string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("GENERALIZEDTIME") != std::string::npos);
  CHECK(r.output.find("IA5STRING         :ES") != std::string::npos);
  CHECK(r.output.find("BIT STRING") != std::string::npos);
}

TEST_CASE("a signed PDF verifies: two signatures / both TOTAL_PASSED / with seal / signer / time and coverage") {
  auto& env = SigningEnv::get();
  const auto report = env.verify_pdf("tax", signed_pdf());
  REQUIRE(report["signatures"].size() == 2);
  for (const auto& s : report["signatures"]) {
    CHECK(s["indication"] == "TOTAL_PASSED");
    CHECK(s["sub_indication"].is_null());
    CHECK(s["signer"]["chain"]["result"] == "passed");
    CHECK(s["seal"]["result"] == "passed");
    CHECK(s["seal"]["valid_at_signing_time"] == true);
    CHECK(!s["signing_time"].get<std::string>().empty());
  }
  CHECK(report["signatures"][0]["signer"]["holder"] == "李娜");
  CHECK(report["signatures"][1]["signer"]["holder"] == "张志伟");
}

TEST_CASE("a PDF altered after signing fails: a byte changed inside a signed range / or content appended unsigned") {
  auto& env = SigningEnv::get();
  auto flipped = signed_pdf();
  // One letter of the document's /Producer (cairo …): inside every signed
  // range, and the file stays a well-formed PDF.
  const std::string producer = "/Producer (cairo";
  const auto at = std::search(flipped.begin(), flipped.end(), producer.begin(), producer.end());
  REQUIRE(at != flipped.end());
  *(at + static_cast<std::ptrdiff_t>(producer.size()) - 5) = 'C';
  const auto report0 = env.verify_pdf("tax", signed_pdf());
  const auto altered = env.verify_pdf("tax", flipped);
  REQUIRE(altered["signatures"].size() == 2);
  for (const auto& s : altered["signatures"]) {
    CHECK(s["indication"] == "TOTAL_FAILED");
    CHECK(s["sub_indication"] == "HASH_FAILURE");
    CHECK(s["code"] == "data_hash_mismatch");
    CHECK(s["data_integrity"]["intact"] == false);
  }

  // An incremental update appended after the last signature (a new page content stream, unsigned).
  auto appended = signed_pdf();
  const std::string tail = "\n% altered after signing\n";
  appended.insert(appended.end(), tail.begin(), tail.end());
  const auto report = env.verify_pdf("tax", appended);
  REQUIRE(report["signatures"].size() == 2);
  for (const auto& s : report["signatures"]) {
    CHECK(s["indication"] == "TOTAL_FAILED");
    CHECK(s["sub_indication"] == "MODIFIED_AFTER_SIGNING");
    CHECK(s["coverage"]["unsigned_changes_after"] == true);
  }
  CHECK(report0["summary"]["passed"] == 2);
}

TEST_CASE("a detached signature with a flipped byte fails with SIG_CRYPTO_FAILURE") {
  auto& env = SigningEnv::get();
  const std::string data = "order 42: 100 units";
  const auto t = env.create_ok("tax", {{"document", {{"data", b64(data)}}}, {"seals", {{"types", {"contract"}}}}});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  auto ses = env.document("tax", t["id"]);
  CHECK(verify_detached(trust::to_bytes(data), ses)["indication"] == "TOTAL_PASSED");
  // The last byte belongs to the signer's signature value.
  ses.back() = static_cast<std::uint8_t>(ses.back() ^ 0x01);
  const auto s = verify_detached(trust::to_bytes(data), ses);
  CHECK(s["indication"] == "TOTAL_FAILED");
  CHECK((s["sub_indication"] == "SIG_CRYPTO_FAILURE" || s["sub_indication"] == "FORMAT_FAILURE"));
  CHECK((s["code"] == "bad_signature" || s["code"] == "malformed"));
}

TEST_CASE("a data task's propertyInfo states its protection range (GB/T 38540-2020 §7.1) — a wrong one fails") {
  auto& env = SigningEnv::get();
  const std::string data = "order 43: 7 units";
  const auto t = env.create_ok("tax", {{"document", {{"data", b64(data)}}}, {"seals", {{"types", {"contract"}}}}});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto ses = env.document("tax", t["id"]);
  const auto good = verify_detached(trust::to_bytes(data), ses);
  CHECK(good["indication"] == "TOTAL_PASSED");
  CHECK(good["property_info"] ==
        "zhaoyin:data;task=" + t["id"].get<std::string>() + ";byterange=0," + std::to_string(data.size()));
  CHECK(good["protection_range"]["checked"] == true);
  CHECK(good["protection_range"]["matches"] == true);

  // The same holder and seal, a valid signature, but a range that is not the whole data.
  const auto holder = env.wallet("李娜");
  trust::SignatureRequest sr;
  sr.seal_der = SigningEnv::seal_of(holder, "contract").der;
  sr.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  sr.data_hash = trust::sm3(trust::to_bytes(data));
  sr.property_info = "zhaoyin:data;task=forged;byterange=0," + std::to_string(data.size() - 1);
  const auto tbs = trust::build_tbs_sign_v4(sr);
  const auto wrong = verify_detached(trust::to_bytes(data),
                                     trust::assemble_seal_signature_v4(tbs, holder.certificate(), holder.sign(tbs)));
  CHECK(wrong["indication"] == "TOTAL_FAILED");
  CHECK(wrong["code"] == "protection_range_mismatch");
  CHECK(wrong["protection_range"]["matches"] == false);
}

TEST_CASE("a seal made by an untrusted maker fails verification (no certificate chain to the trust roots)") {
  auto& env = SigningEnv::get();
  const auto holder = env.wallet("张志伟");
  // A throwaway maker: its own self-signed certificate, unknown to the authority.
  const auto maker_key = trust::Sm2Key::generate();
  trust::CertificateRequest req;
  req.subject.attributes = {{"C", "CN"}, {"O", "Rogue Seal Shop"}, {"CN", "Rogue seal maker"}};
  req.subject_key = maker_key;
  req.profile = trust::CertProfile::SealMaker;
  req.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  req.not_after = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
  const auto maker_cert = trust::issue_certificate(req, maker_key, nullptr);
  auto info = trust::parse_seal(SigningEnv::seal_of(holder, "contract").der).info;
  info.signer_certs = {holder.certificate()};
  const auto rogue_seal = trust::build_seal_v4(info, maker_key, maker_cert);

  const auto data = trust::to_bytes("a contract the rogue seal would stamp");
  trust::SignatureRequest sr;
  sr.seal_der = rogue_seal;
  sr.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  sr.data_hash = trust::sm3(data);
  sr.property_info = "zhaoyin:data;test";
  const auto tbs = trust::build_tbs_sign_v4(sr);
  const auto ses = trust::assemble_seal_signature_v4(tbs, holder.certificate(), holder.sign(tbs));
  const auto s = verify_detached(data, ses);
  CHECK(s["indication"] == "INDETERMINATE");
  CHECK(s["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND");
  CHECK(s["code"] == "seal_untrusted_chain");
  CHECK(s["seal"]["maker"]["signature_valid"] == true);
  CHECK(s["seal"]["result"] == "failed");
}

TEST_CASE("a signature by a holder whose license certificate is revoked fails with REVOKED") {
  auto& env = SigningEnv::get();
  const auto holder = env.wallet("林晓");  // revoked before any of this runs
  const auto data = trust::to_bytes("signed with a lost phone");
  trust::SignatureRequest sr;
  sr.seal_der = SigningEnv::seal_of(holder, "company").der;  // a genuine seal that lists 林晓
  sr.time = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  sr.data_hash = trust::sm3(data);
  sr.property_info = "zhaoyin:data;test";
  const auto tbs = trust::build_tbs_sign_v4(sr);
  const auto ses = trust::assemble_seal_signature_v4(tbs, holder.certificate(), holder.sign(tbs));
  const auto s = verify_detached(data, ses);
  CHECK(s["indication"] == "TOTAL_FAILED");
  CHECK(s["sub_indication"] == "REVOKED");
  CHECK(s["code"] == "signer_cert_revoked");
  CHECK(s["signer"]["revocation"]["status"] == "revoked");
}

TEST_CASE("verify refuses what is not a signed document") {
  auto& env = SigningEnv::get();
  auto r = http("POST", env.url("/api/v1/signatures/verify"), json{{"pdf", b64(sample_pdf())}}.dump(), bearer(env.token("tax")));
  CHECK(r.status == 422);
  CHECK(r.code() == "no_signature");
  r = http("POST", env.url("/api/v1/signatures/verify"), json{{"pdf", b64("not a pdf")}}.dump(), bearer(env.token("tax")));
  CHECK(r.status == 422);
  CHECK(r.code() == "malformed_pdf");
  r = http("POST", env.url("/api/v1/signatures/verify"), json{{"data", b64("x")}}.dump(), bearer(env.token("tax")));
  CHECK(r.status == 400);
  r = http("POST", env.url("/api/v1/signatures/verify"), json{{"pdf", b64(sample_pdf())}}.dump(), bearer(env.token("social_insurance")));
  CHECK(r.status == 403);
  CHECK(r.code() == "insufficient_scope");
}
