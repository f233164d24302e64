#include "structure.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace zhaoyin::ofd::detail {

namespace {

[[noreturn]] void malformed(const std::string& message) { throw OfdError("malformed_ofd", message); }

constexpr double kLargestPageMm = 100000;
// Joint documents (联合发文) carry a handful of seals; a list of thousands is an attack on the verifier.
constexpr std::size_t kMaxSignatures = 200;  // 100 m: no real page is larger; keeps arithmetic finite

}  // namespace

std::optional<std::vector<double>> parse_box(const std::string& text) {
  std::istringstream in(text);
  std::vector<double> v;
  std::string word;
  while (in >> word) {
    if (v.size() == 4 || word.size() > 32) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(word.c_str(), &end);
    if (end != word.c_str() + word.size() || !std::isfinite(d) || std::fabs(d) > kLargestPageMm) return std::nullopt;
    v.push_back(d);
  }
  if (v.size() != 4) return std::nullopt;
  return v;
}

Structure open_structure(const Bytes& ofd, const PackageLimits& limits) { return open_structure(read_package(ofd, limits)); }

Structure open_structure(Package package) {
  Structure s;
  s.package = std::move(package);
  if (!s.package.has(kMainEntry)) malformed("the package has no OFD.xml (GB/T 33190-2016 §7.4)");
  s.main = parse_xml(s.package.at(kMainEntry), kMainEntry);
  if (!s.main.is("OFD")) malformed("OFD.xml's root is not ofd:OFD");
  const auto bodies = s.main.all("DocBody");
  if (bodies.empty()) malformed("OFD.xml has no DocBody");
  if (bodies.size() > 1) throw OfdError("unsupported_ofd", "OFD.xml holds several documents (DocBody); Zhaoyin signs one-document packages");
  const XmlElement& body = *bodies.front();
  s.doc_body_qname = body.qname;
  const XmlElement* root = body.child("DocRoot");
  if (!root) malformed("DocBody has no DocRoot");
  s.document_path = resolve_location(kMainEntry, root->trimmed_text());
  if (const XmlElement* sigs = body.child("Signatures")) s.signatures_path = resolve_location(kMainEntry, sigs->trimmed_text());

  // §7.5 Document.xml: CommonData/PageArea is the default page size; each
  // Pages/Page names its content file (§7.7), whose own Area may override it.
  const XmlElement doc = parse_xml(s.package.at(s.document_path), s.document_path);
  if (!doc.is("Document")) malformed(s.document_path + "'s root is not ofd:Document");
  std::optional<std::vector<double>> default_box;
  if (const XmlElement* common = doc.child("CommonData"))
    if (const XmlElement* area = common->child("PageArea"))
      if (const XmlElement* box = area->child("PhysicalBox")) default_box = parse_box(box->trimmed_text());
  const XmlElement* pages = doc.child("Pages");
  if (!pages) malformed(s.document_path + " has no Pages");
  std::set<std::string> ids;
  // Each content file is parsed once, however many pages name it: a
  // Document.xml listing one large page 100 000 times costs one parse.
  std::map<std::string, std::optional<std::vector<double>>> areas;
  for (const XmlElement* page : pages->all("Page")) {
    PageInfo info;
    info.id = page->attribute("ID").value_or("");
    if (info.id.empty() || !ids.insert(info.id).second) malformed(s.document_path + ": a Page without a unique ID");
    info.path = resolve_location(s.document_path, page->attribute("BaseLoc").value_or(""));
    std::optional<std::vector<double>> box = default_box;
    auto known = areas.find(info.path);
    if (known == areas.end()) {
      std::optional<std::vector<double>> own;
      const XmlElement content = parse_xml(s.package.at(info.path), info.path);
      if (const XmlElement* area = content.child("Area"))
        if (const XmlElement* physical = area->child("PhysicalBox")) own = parse_box(physical->trimmed_text());
      known = areas.emplace(info.path, own).first;
    }
    if (known->second) box = known->second;
    if (!box || (*box)[2] <= 0 || (*box)[3] <= 0) malformed(info.path + ": the page has no PhysicalBox of positive size");
    info.width_mm = (*box)[2];
    info.height_mm = (*box)[3];
    s.pages.push_back(info);
  }
  if (s.pages.empty()) malformed(s.document_path + " has no pages");

  // §18.1 Signatures.xml.
  if (s.signatures_path && s.package.has(*s.signatures_path)) {
    const XmlElement list = parse_xml(s.package.at(*s.signatures_path), *s.signatures_path);
    if (!list.is("Signatures")) malformed(*s.signatures_path + "'s root is not ofd:Signatures");
    if (const XmlElement* max = list.child("MaxSignId")) s.max_sign_id = max->trimmed_text();
    const auto listed = list.all("Signature");
    if (listed.size() > kMaxSignatures)
      throw OfdError("ofd_limit_exceeded", *s.signatures_path + " lists " + std::to_string(listed.size()) +
                                               " signatures, more than the limit of " + std::to_string(kMaxSignatures));
    std::set<std::string> paths;
    for (const XmlElement* sig : listed) {
      ListedSignature l;
      l.id = sig->attribute("ID").value_or("");
      l.type = sig->attribute("Type").value_or("Seal");
      l.path = resolve_location(*s.signatures_path, sig->attribute("BaseLoc").value_or(""));
      // Each Signature.xml once: verifying one file many times over is work an attacker chooses.
      if (!paths.insert(l.path).second) malformed(*s.signatures_path + " lists " + l.path + " twice");
      s.signatures.push_back(l);
    }
  } else if (s.signatures_path) {
    malformed("OFD.xml names " + *s.signatures_path + " as its signatures, which the package lacks");
  }
  return s;
}

}  // namespace zhaoyin::ofd::detail
