// zhaoyin_ofd: the OFD package reader's limits and refusals, and the
// GB/T 33190-2016 §18 signature structure it writes and reads back. The
// SES_Signature inside SignedValue.dat is checked end to end through the host
// (test_sign_ofd.cpp); here SignedValue.dat holds placeholder bytes.
#include <catch2/catch.hpp>

#include <functional>
#include <zhaoyin/ofd/ofd_signing.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include <test_support.h>

#include "ofd_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using ofd::Bytes;

namespace {

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ofd::OfdError& e) {
    return e.code();
  }
  return "none";
}

std::string text(const ofd::Package& p, const std::string& path) { return std::string(p.at(path).begin(), p.at(path).end()); }

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes signed_once(const Bytes& ofd_bytes, int page = 1, double x = 120) {
  ofd::SignatureMeta meta;
  meta.signing_time = "20261207120000Z";
  const auto prepared = ofd::prepare_signature(ofd_bytes, {page, x, 200, 40, 40}, meta);
  return ofd::complete_signature(prepared.package, prepared.signed_value_path, bytes("placeholder SES_Signature"));
}

}  // namespace

TEST_CASE("the hand-written minimal OFD reads: one A4 page, its document, no signature") {
  const auto info = ofd::inspect(minimal_ofd());
  CHECK(info.document_path == "Doc_0/Document.xml");
  REQUIRE(info.pages.size() == 1);
  CHECK(info.pages[0].id == "1");
  CHECK(info.pages[0].path == "Doc_0/Pages/Page_0/Content.xml");
  CHECK(info.pages[0].width_mm == 210);
  CHECK(info.pages[0].height_mm == 297);
  CHECK(info.signatures == 0);
  CHECK(info.files == 4);
}

TEST_CASE("the package writer round-trips and unzip (Info-ZIP) reads it") {
  const auto original = minimal_ofd_package();
  const Bytes zip = ofd::write_package(original);
  const auto back = ofd::read_package(zip);
  CHECK(back.order == original.order);
  CHECK(back.files == original.files);
  TempDir dir("ofd-unzip");
  write_file(dir.path() / "doc.ofd", std::string(zip.begin(), zip.end()));
  const auto r = run_command("unzip -tq " + quote((dir.path() / "doc.ofd").string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("a signature adds Signatures.xml, Signature.xml and SignedValue.dat as GB/T 33190-2016 §18 lays them out") {
  ofd::SignatureMeta meta;
  meta.signing_time = "20261207120000Z";
  meta.company = "武汉长江云数科技有限公司";
  const auto prepared = ofd::prepare_signature(minimal_ofd(), {1, 120, 200, 40, 40}, meta);
  CHECK(prepared.signature_path == "Doc_0/Signs/Sign_0/Signature.xml");
  CHECK(prepared.signed_value_path == "Doc_0/Signs/Sign_0/SignedValue.dat");
  const auto p = ofd::read_package(prepared.package);
  CHECK_FALSE(p.has(prepared.signed_value_path));
  CHECK(prepared.signature_xml_sm3 == trust::sm3(p.at(prepared.signature_path)));
  CHECK(text(p, "OFD.xml").find("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody>") != std::string::npos);
  const std::string list = text(p, "Doc_0/Signs/Signatures.xml");
  CHECK(list.find("<ofd:MaxSignId>s001</ofd:MaxSignId>") != std::string::npos);
  CHECK(list.find("<ofd:Signature ID=\"s001\" Type=\"Seal\" BaseLoc=\"/Doc_0/Signs/Sign_0/Signature.xml\"/>") != std::string::npos);
  const std::string sig = text(p, prepared.signature_path);
  CHECK(sig.find("<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod>") != std::string::npos);
  CHECK(sig.find("<ofd:SignatureDateTime>20261207120000Z</ofd:SignatureDateTime>") != std::string::npos);
  CHECK(sig.find("<ofd:References CheckMethod=\"1.2.156.10197.1.401\">") != std::string::npos);
  CHECK(sig.find("<ofd:StampAnnot ID=\"s001\" PageRef=\"1\" Boundary=\"120 200 40 40\"/>") != std::string::npos);
  CHECK(sig.find("<ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue>") != std::string::npos);
  // One Reference per file, the edited OFD.xml included, Signatures.xml not (§18.1).
  CHECK(prepared.references == 4);
  for (const char* f : {"OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml", "Doc_0/Pages/Page_0/Content.xml"}) {
    const std::string ref = std::string("<ofd:Reference FileRef=\"/") + f + "\">\n        <ofd:CheckValue>" +
                            trust::base64_encode(trust::sm3(p.at(f))) + "</ofd:CheckValue>";
    CHECK(sig.find(ref) != std::string::npos);
  }
  CHECK(sig.find("Signatures.xml\"") == std::string::npos);

  const Bytes done = ofd::complete_signature(prepared.package, prepared.signed_value_path, bytes("SES"));
  const auto found = ofd::find_signatures(done);
  REQUIRE(found.size() == 1);
  const auto& s = found[0];
  CHECK(s.problem.empty());
  CHECK(s.id == "s001");
  CHECK(s.references_intact);
  CHECK(s.check_method_supported);
  CHECK(s.unprotected_files.empty());
  CHECK(s.signed_value == bytes("SES"));
  CHECK(s.page == 1);
  CHECK(s.boundary == std::vector<double>{120, 200, 40, 40});
  CHECK(s.signature_xml_sm3 == prepared.signature_xml_sm3);
}

TEST_CASE("a second signature protects the first one's files and leaves the first intact") {
  const Bytes twice = signed_once(signed_once(minimal_ofd()), 1, 60);
  const auto found = ofd::find_signatures(twice);
  REQUIRE(found.size() == 2);
  CHECK(found[1].signature_path == "Doc_0/Signs/Sign_1/Signature.xml");
  CHECK(found[1].id == "s002");
  for (const auto& s : found) {
    INFO(s.signature_path);
    CHECK(s.references_intact);
    CHECK(s.unprotected_files.empty());
  }
  bool protects_first = false;
  for (const auto& r : found[1].references) protects_first |= r.file == "Doc_0/Signs/Sign_0/SignedValue.dat";
  CHECK(protects_first);
}

TEST_CASE("a Sign signature (GB/T 33190-2016 §18.1 Type Sign) has no StampAnnot, ignores the placement and protects the seal before it") {
  ofd::SignatureMeta meta;
  meta.type = "Sign";
  meta.signing_time = "20261207120100Z";
  // A placement off the page does not matter: a Sign signature has no appearance.
  const auto prepared = ofd::prepare_signature(signed_once(minimal_ofd()), {9, 500, 500, 40, 40}, meta);
  const Bytes twice = ofd::complete_signature(prepared.package, prepared.signed_value_path, bytes("placeholder CMS"));
  const auto package = ofd::read_package(twice);
  CHECK(text(package, "Doc_0/Signs/Signatures.xml").find("ID=\"s002\" Type=\"Sign\"") != std::string::npos);
  CHECK(text(package, prepared.signature_path).find("StampAnnot") == std::string::npos);
  const auto found = ofd::find_signatures(twice);
  REQUIRE(found.size() == 2);
  CHECK(found[0].type == "Seal");
  CHECK(found[1].type == "Sign");
  CHECK(found[1].page == 0);
  for (const auto& s : found) {
    CHECK(s.references_intact);
    CHECK(s.unprotected_files.empty());
  }
  // Only the two types §18.1 defines.
  meta.type = "Stamp";
  CHECK(code_of([&] { ofd::prepare_signature(minimal_ofd(), {1, 20, 20, 40, 40}, meta); }) == "invalid_argument");
}

TEST_CASE("page content changed after signing breaks its Reference, a file added after signing is unprotected") {
  auto p = ofd::read_package(signed_once(minimal_ofd()));
  SECTION("changed") {
    std::string content = text(p, "Doc_0/Pages/Page_0/Content.xml");
    content.replace(content.find("采购合同"), std::string("采购合同").size(), "租赁合同");
    p.put("Doc_0/Pages/Page_0/Content.xml", bytes(content));
    const auto s = ofd::find_signatures(ofd::write_package(p)).at(0);
    CHECK_FALSE(s.references_intact);
    for (const auto& r : s.references) CHECK(r.intact == (r.file != "Doc_0/Pages/Page_0/Content.xml"));
  }
  SECTION("added") {
    p.put("Doc_0/Pages/Page_1/Content.xml", bytes("<ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\"/>"));
    const auto s = ofd::find_signatures(ofd::write_package(p)).at(0);
    CHECK(s.references_intact);
    CHECK(s.unprotected_files == std::vector<std::string>{"Doc_0/Pages/Page_1/Content.xml"});
  }
  SECTION("removed") {
    p.files.erase("Doc_0/PublicRes.xml");
    p.order.erase(std::find(p.order.begin(), p.order.end(), "Doc_0/PublicRes.xml"));
    const auto s = ofd::find_signatures(ofd::write_package(p)).at(0);
    CHECK_FALSE(s.references_intact);
  }
}

TEST_CASE("a seal placed off the page or on a missing page is refused") {
  ofd::SignatureMeta meta;
  CHECK(code_of([&] { ofd::prepare_signature(minimal_ofd(), {2, 10, 10, 40, 40}, meta); }) == "placement_off_page");
  CHECK(code_of([&] { ofd::prepare_signature(minimal_ofd(), {1, 190, 10, 40, 40}, meta); }) == "placement_off_page");
  CHECK(code_of([&] { ofd::prepare_signature(minimal_ofd(), {1, 10, 280, 40, 40}, meta); }) == "placement_off_page");
}

TEST_CASE("entry names that leave the package are refused: ../, absolute, backslash, drive letter") {
  for (const std::string name : {"../OFD.xml", "Doc_0/../../etc/passwd", "/etc/passwd", "Doc_0\\..\\x", "C:/x", "Doc_0//x", "./OFD.xml"}) {
    INFO(name);
    auto entries = minimal_raw_entries();
    entries.push_back(stored_entry(name, "x"));
    CHECK(code_of([&] { ofd::read_package(raw_zip(entries)); }) == "malformed_ofd");
  }
  auto entries = minimal_raw_entries();
  entries.push_back(entries.front());
  CHECK(code_of([&] { ofd::read_package(raw_zip(entries)); }) == "malformed_ofd");  // the same name twice
  CHECK(code_of([&] { ofd::read_package(raw_zip(minimal_raw_entries())); }) == "none");
}

TEST_CASE("a zip bomb is refused before it is inflated: ratio, declared size, a size that lies") {
  auto entries = minimal_raw_entries();
  SECTION("ratio") {
    entries.push_back(deflated_entry("Doc_0/Res/zeros.bin", Bytes(20u << 20, 0)));  // 20 MiB of zeros in ~20 KiB
    CHECK(code_of([&] { ofd::read_package(raw_zip(entries)); }) == "ofd_limit_exceeded");
  }
  SECTION("size") {
    ofd::PackageLimits small;
    small.max_entry_size = 100;
    CHECK(code_of([&] { ofd::read_package(raw_zip(entries), small); }) == "ofd_limit_exceeded");
  }
  SECTION("total") {
    ofd::PackageLimits small;
    small.max_total_size = 1000;
    CHECK(code_of([&] { ofd::read_package(raw_zip(entries), small); }) == "ofd_limit_exceeded");
  }
  SECTION("lying size") {
    Bytes content(5000, 'a');
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>('a' + (i * 7919) % 26);
    auto e = deflated_entry("Doc_0/Res/liar.bin", content);
    e.size = 100;  // inflates to far more than it declares
    entries.push_back(e);
    CHECK(code_of([&] { ofd::read_package(raw_zip(entries)); }) != "none");
  }
}

TEST_CASE("more entries than the limit are refused before any is read") {
  auto entries = minimal_raw_entries();
  for (int i = 0; i < 2001; ++i) entries.push_back(stored_entry("Doc_0/Res/f" + std::to_string(i), ""));
  CHECK(code_of([&] { ofd::read_package(raw_zip(entries)); }) == "ofd_limit_exceeded");
  ofd::PackageLimits more;
  more.max_entries = 3000;
  CHECK(code_of([&] { ofd::read_package(raw_zip(entries), more); }) == "none");
}

TEST_CASE("hostile XML is refused: a DOCTYPE with entities, nesting beyond the limit, not XML, a DocRoot outside the package") {
  auto with_main = [](const std::string& main) {
    auto p = minimal_ofd_package();
    p.put("OFD.xml", bytes(main));
    return ofd::write_package(p);
  };
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE ofd:OFD [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml&b;</ofd:DocRoot></ofd:DocBody></ofd:OFD>";
  CHECK(code_of([&] { ofd::inspect(with_main(laughs)); }) == "malformed_ofd");
  std::string deep = "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\">";
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  deep += "</ofd:OFD>";
  CHECK(code_of([&] { ofd::inspect(with_main(deep)); }) == "ofd_limit_exceeded");
  CHECK(code_of([&] { ofd::inspect(with_main("<ofd:OFD")); }) == "malformed_ofd");
  CHECK(code_of([&] {
          ofd::inspect(with_main("<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:DocBody><ofd:DocRoot>../Doc_0/Document.xml"
                                 "</ofd:DocRoot></ofd:DocBody></ofd:OFD>"));
        }) == "malformed_ofd");
  CHECK(code_of([&] { ofd::inspect(bytes("PK not a zip at all")); }) == "malformed_ofd");
  CHECK(code_of([&] { ofd::inspect(Bytes{}); }) == "malformed_ofd");
}

TEST_CASE("locations resolve as ST_Loc: absolute from the root, relative to the referring file") {
  CHECK(ofd::resolve_location("Doc_0/Document.xml", "Pages/Page_0/Content.xml") == "Doc_0/Pages/Page_0/Content.xml");
  CHECK(ofd::resolve_location("Doc_0/Signs/Sign_0/Signature.xml", "/Doc_0/Document.xml") == "Doc_0/Document.xml");
  CHECK(ofd::resolve_location("Doc_0/Pages/Page_0/Content.xml", "../../Res/a.png") == "Doc_0/Res/a.png");
  CHECK(code_of([] { ofd::resolve_location("OFD.xml", "../x"); }) == "malformed_ofd");
  CHECK(code_of([] { ofd::resolve_location("OFD.xml", "  "); }) == "malformed_ofd");
}

TEST_CASE("work the sender chooses is bounded: a Signature.xml listed twice, more than 200 signatures, one page listed many times") {
  auto p = ofd::read_package(signed_once(minimal_ofd()));
  const std::string list_path = "Doc_0/Signs/Signatures.xml";
  const std::string entry = "<ofd:Signature ID=\"s001\" Type=\"Seal\" BaseLoc=\"/Doc_0/Signs/Sign_0/Signature.xml\"/>";
  std::string list = text(p, list_path);
  REQUIRE(list.find(entry) != std::string::npos);
  p.put(list_path, bytes(std::string(list).insert(list.find(entry), entry)));
  CHECK(code_of([&] { ofd::find_signatures(ofd::write_package(p)); }) == "malformed_ofd");
  std::string many;
  for (int i = 0; i < 201; ++i)
    many += "<ofd:Signature ID=\"s" + std::to_string(i) + "\" BaseLoc=\"Sign_" + std::to_string(i) + "/Signature.xml\"/>";
  p.put(list_path, bytes(std::string(list).insert(list.find(entry), many)));
  CHECK(code_of([&] { ofd::find_signatures(ofd::write_package(p)); }) == "ofd_limit_exceeded");

  // 5000 pages naming one content file: parsed once, and the document reads.
  auto q = minimal_ofd_package();
  std::string doc = text(q, "Doc_0/Document.xml");
  std::string pages;
  for (int i = 2; i <= 5000; ++i) pages += "<ofd:Page ID=\"" + std::to_string(i) + "\" BaseLoc=\"Pages/Page_0/Content.xml\"/>";
  doc.insert(doc.find("</ofd:Pages>"), pages);
  q.put("Doc_0/Document.xml", bytes(doc));
  CHECK(ofd::inspect(ofd::write_package(q)).pages.size() == 5000);
}

TEST_CASE("a list naming a Signature.xml the package lacks: the next seal takes a free directory and the missing one is reported") {
  // Found by fuzz_ofd_package (fuzz/regressions/ofd_package/listed-missing-signature-*).
  auto p = ofd::read_package(signed_once(minimal_ofd()));
  const std::string list_path = "Doc_0/Signs/Signatures.xml";
  std::string list = text(p, list_path);
  list.insert(list.find("</ofd:Signatures>"), "<ofd:Signature ID=\"s009\" BaseLoc=\"Sign_1/Signature.xml\"/>");
  p.put(list_path, bytes(list));
  const auto found = ofd::find_signatures(signed_once(ofd::write_package(p), 1, 60));
  REQUIRE(found.size() == 3);
  CHECK(found[1].problem.find("Sign_1/Signature.xml") != std::string::npos);
  CHECK(found[2].signature_path == "Doc_0/Signs/Sign_2/Signature.xml");
  CHECK(found[2].id == "s010");
  CHECK(found[2].references_intact);
  CHECK(found[2].unprotected_files.empty());
}
