// The Document Security Store (host/pdf dss.h, ISO 32000-2 §12.8.4.3–4):
// written as its own incremental update after a signature, read back, extended
// by a later signature, told apart from an update that changes content — and
// checked with tools that are not ours: qpdf --check / --show-object, openssl
// x509 / crl / dgst.
#include <catch2/catch.hpp>

#include <pdf_update.h>
#include <test_support.h>
#include <zhaoyin/pdf/dss.h>
#include <zhaoyin/pdf/pdf_signing.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using pdf::Bytes;

namespace {

// A one-page PDF written by hand (cross-reference table), so this file needs
// no drawing library: the offsets are computed as it is written.
Bytes tiny_pdf() {
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
      "<< /Length 26 >>\nstream\n0 0 0 rg 72 72 100 20 re f\nendstream"};
  std::string out = "%PDF-1.7\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f\r\n";
  for (const auto offset : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n\r\n", offset);
    out += line;
  }
  out += "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return Bytes(out.begin(), out.end());
}

Bytes sign(const Bytes& in, const std::string& field) {
  pdf::SignatureMeta meta;
  meta.field_name = field;
  const auto prepared = pdf::prepare_signature(in, {}, {}, meta, 256);  // invisible: no picture needed
  return pdf::complete_signature(prepared, trust::der::sequence({trust::der::octet_string(trust::random_bytes(40))}));
}

// A CA certificate and its CRL, made with the trust library's SM2 issuer.
struct Evidence {
  Bytes cert;
  Bytes crl;
};
Evidence make_evidence(const std::string& name) {
  const auto key = trust::Sm2Key::generate();
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  trust::CertificateRequest request;
  request.subject.attributes = {{"C", "CN"}, {"O", "Zhaoyin DSS test"}, {"CN", name}};
  request.subject_key = key;
  request.profile = trust::CertProfile::RootCa;
  request.not_before = now - std::chrono::hours(1);
  request.not_after = now + std::chrono::hours(24);
  const auto ca = trust::issue_certificate(request, key, nullptr);
  const auto crl = trust::issue_crl(ca, key, {}, now, now + std::chrono::hours(24), 1);
  return {ca.der(), crl.der()};
}

std::string save(const TempDir& dir, const std::string& name, const Bytes& b) {
  const auto p = dir.path() / name;
  write_file(p, std::string(b.begin(), b.end()));
  return p.string();
}

// The "n g R" items of an array as qpdf prints a dictionary entry, e.g. "/Certs [ 9 0 R 10 0 R ]".
std::vector<std::string> references_in(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  const auto at = text.find(key + " [");
  if (at == std::string::npos) return out;
  const std::string items = text.substr(at + key.size() + 2, text.find(']', at) - at - key.size() - 2);
  std::smatch m;
  std::string rest = items;
  while (std::regex_search(rest, m, std::regex(R"((\d+) \d+ R)"))) {
    out.push_back(m[1]);
    rest = m.suffix();
  }
  return out;
}

}  // namespace

TEST_CASE("a DSS update after a signature: the signature still covers its bytes, qpdf and openssl read the evidence", "[pdf][dss]") {
  const Bytes signed_pdf = sign(tiny_pdf(), "Party1");
  const auto evidence = make_evidence("DSS Test CA 1");
  const Bytes ltv = pdf::add_validation_data(signed_pdf, "Party1", {{evidence.cert}, {evidence.crl}, {}});
  // The signed bytes are untouched: the update is appended.
  REQUIRE(ltv.size() > signed_pdf.size());
  CHECK(std::equal(signed_pdf.begin(), signed_pdf.end(), ltv.begin()));
  const auto found = pdf::find_signatures(ltv);
  REQUIRE(found.size() == 1);
  CHECK(found[0].signed_length == signed_pdf.size());
  CHECK_FALSE(found[0].covers_whole_file);
  // Only validation data follows: no unsigned change after the signature.
  CHECK(pdf::unsigned_revisions_after(ltv, found, found[0].signed_length).empty());
  CHECK(pdf::validation_data_only(ltv, signed_pdf.size(), ltv.size()));

  // Read back by us: the DSS-wide lists and the signature's VRI entry.
  const auto dss = pdf::read_validation_data(ltv);
  CHECK(dss.present);
  CHECK(dss.all.certs == std::vector<Bytes>{evidence.cert});
  CHECK(dss.all.crls == std::vector<Bytes>{evidence.crl});
  REQUIRE(dss.vri.count(found[0].vri_key) == 1);
  CHECK(dss.vri.at(found[0].vri_key).crls == std::vector<Bytes>{evidence.crl});

  // Not by us: qpdf checks the file and prints the catalog's /DSS; openssl parses the streams' DER.
  TempDir dir("zhaoyin-dss");
  const auto file = save(dir, "ltv.pdf", ltv);
  const auto check = run_command("qpdf --check " + quote(file));
  INFO(check.output);
  CHECK(check.exit_code == 0);
  const std::string root = qpdf_object(file, last_trailer(ltv).root);
  INFO(root);
  const auto dss_ref = std::regex_replace(root, std::regex(R"(.*/DSS (\d+ \d+ R).*)"), "$1");
  const std::string dss_text = qpdf_object(file, dss_ref);
  INFO(dss_text);
  CHECK(dss_text.find("/Type /DSS") != std::string::npos);
  // ISO 32000-2 Table 261: the VRI key is the upper-case hex SHA-1 of the
  // signature — here of the /Contents string's bytes, computed by openssl.
  const std::string text(signed_pdf.begin(), signed_pdf.end());
  const auto open = text.find("/Contents <") + 11;
  const std::string contents_hex = text.substr(open, text.find('>', open) - open);
  const auto sha1 = run_command("openssl dgst -sha1 -r " + quote(save(dir, "contents.bin", trust::hex_decode(contents_hex))));
  INFO(sha1.output);
  std::string expected_key = sha1.output.substr(0, 40);
  for (auto& c : expected_key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(found[0].vri_key == expected_key);
  CHECK(dss_text.find("/" + expected_key) != std::string::npos);

  const auto certs = references_in(dss_text, "/Certs");
  const auto crls = references_in(dss_text, "/CRLs");
  REQUIRE(certs.size() == 1);
  REQUIRE(crls.size() == 1);
  const auto x509 = run_command("qpdf --show-object=" + certs[0] + " --raw-stream-data " + quote(file) +
                                " | openssl x509 -inform DER -noout -subject");
  INFO(x509.output);
  CHECK(x509.exit_code == 0);
  CHECK(x509.output.find("DSS Test CA 1") != std::string::npos);
  const auto crl = run_command("qpdf --show-object=" + crls[0] + " --raw-stream-data " + quote(file) +
                               " | openssl crl -inform DER -noout -issuer");
  INFO(crl.output);
  CHECK(crl.exit_code == 0);
  CHECK(crl.output.find("DSS Test CA 1") != std::string::npos);
}

TEST_CASE("a second signature over the DSS, then a second DSS update: both VRI entries, evidence stored once", "[pdf][dss]") {
  const auto first_evidence = make_evidence("DSS Test CA 1");
  const auto second_evidence = make_evidence("DSS Test CA 2");
  const Bytes one = pdf::add_validation_data(sign(tiny_pdf(), "Party1"), "Party1", {{first_evidence.cert}, {first_evidence.crl}, {}});
  const Bytes two_signed = sign(one, "Party2");  // the next signer signs over the first DSS update
  const Bytes two = pdf::add_validation_data(two_signed, "Party2",
                                             {{first_evidence.cert, second_evidence.cert}, {second_evidence.crl}, {}});
  const auto found = pdf::find_signatures(two);
  REQUIRE(found.size() == 2);
  for (const auto& s : found) {
    INFO(s.field_name);
    CHECK(pdf::unsigned_revisions_after(two, found, s.signed_length).empty());
  }
  const auto dss = pdf::read_validation_data(two);
  CHECK(dss.all.certs.size() == 2);  // the first CA's certificate is not stored twice
  CHECK(dss.all.crls.size() == 2);
  REQUIRE(dss.vri.size() == 2);
  CHECK(dss.vri.at(found[0].vri_key).crls == std::vector<Bytes>{first_evidence.crl});
  CHECK(dss.vri.at(found[1].vri_key).certs.size() == 2);
  TempDir dir("zhaoyin-dss2");
  const auto check = run_command("qpdf --check " + quote(save(dir, "two.pdf", two)));
  INFO(check.output);
  CHECK(check.exit_code == 0);
}

TEST_CASE("an update that adds a DSS and also changes the page after a signature is a modification", "[pdf][dss]") {
  const Bytes signed_pdf = sign(tiny_pdf(), "Party1");
  TempDir dir("zhaoyin-dss-tamper");
  const auto file = save(dir, "signed.pdf", signed_pdf);
  const auto last = last_trailer(signed_pdf);
  const std::string content = first_page_content(file);
  REQUIRE_FALSE(content.empty());
  const std::string root = qpdf_object(file, last.root);
  REQUIRE(root.rfind(">>") != std::string::npos);
  const auto evidence = make_evidence("DSS Test CA 1");
  const int cert = last.size, dss = last.size + 1;
  const std::string cert_stream = "<< /Length " + std::to_string(evidence.cert.size()) + " >>\nstream\n" +
                                  std::string(evidence.cert.begin(), evidence.cert.end()) + "\nendstream";
  const std::string drawing = "1 0 0 rg 72 72 300 300 re f";
  std::map<int, std::string> objects = {
      {cert, cert_stream},
      {dss, "<< /Type /DSS /Certs [ " + std::to_string(cert) + " 0 R ] >>"},
      {std::stoi(last.root), root.substr(0, root.rfind(">>")) + " /DSS " + std::to_string(dss) + " 0 R >>"}};

  SECTION("DSS alone, written by hand: allowed") {
    const Bytes ltv = append_update(signed_pdf, objects, last.size + 2);
    const auto found = pdf::find_signatures(ltv);
    CHECK(pdf::unsigned_revisions_after(ltv, found, found[0].signed_length).empty());
    CHECK(pdf::read_validation_data(ltv).all.certs == std::vector<Bytes>{evidence.cert});
  }
  SECTION("DSS and a new page content stream: a change") {
    objects[std::stoi(content)] = "<< /Length " + std::to_string(drawing.size()) + " >>\nstream\n" + drawing + "\nendstream";
    const Bytes tampered = append_update(signed_pdf, objects, last.size + 2);
    const auto check = run_command("qpdf --check " + quote(save(dir, "tampered.pdf", tampered)));
    INFO(check.output);
    REQUIRE(check.exit_code == 0);  // a sound PDF: only the rule finds it
    const auto found = pdf::find_signatures(tampered);
    CHECK(pdf::unsigned_revisions_after(tampered, found, found[0].signed_length) == std::vector<std::size_t>{tampered.size()});
    CHECK_FALSE(pdf::validation_data_only(tampered, signed_pdf.size(), tampered.size()));
  }
  SECTION("DSS and another catalog entry: a change") {
    objects[std::stoi(last.root)] = root.substr(0, root.rfind(">>")) + " /DSS " + std::to_string(dss) + " 0 R /OpenAction [ 3 0 R /Fit ] >>";
    const Bytes tampered = append_update(signed_pdf, objects, last.size + 2);
    CHECK_FALSE(pdf::validation_data_only(tampered, signed_pdf.size(), tampered.size()));
  }
  SECTION("a new object the DSS does not reach: a change") {
    objects[last.size + 2] = "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] >>";
    const Bytes tampered = append_update(signed_pdf, objects, last.size + 3);
    CHECK_FALSE(pdf::validation_data_only(tampered, signed_pdf.size(), tampered.size()));
  }
}

TEST_CASE("add_validation_data refuses a field without a signature", "[pdf][dss]") {
  const Bytes signed_pdf = sign(tiny_pdf(), "Party1");
  try {
    (void)pdf::add_validation_data(signed_pdf, "NoSuchField", {});
    FAIL("no error");
  } catch (const pdf::PdfError& e) {
    CHECK(e.code() == "invalid_argument");
  }
}
