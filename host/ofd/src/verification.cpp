// Reading the signatures of an OFD package and checking what the package
// alone can tell (ofd_signing.h): GB/T 33190-2016 §18.2.2 References — every
// protected file present with the SM3 its CheckValue states — and files that
// no signature protects (added after signing).
#include <zhaoyin/ofd/ofd_signing.h>

#include <algorithm>
#include <map>
#include <set>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>

#include "structure.h"

namespace zhaoyin::ofd {

namespace {

using detail::XmlElement;

bool is_sm3(const std::string& method) { return method == kSm3Oid || method == "SM3" || method == "sm3"; }

// SM3 of each file, computed once: many References (of one signature or
// several) naming one large file cost one digest.
class Digests {
 public:
  explicit Digests(const Package& p) : package_(p) {}
  const Bytes& of(const std::string& path) {
    auto it = cache_.find(path);
    if (it == cache_.end()) it = cache_.emplace(path, trust::sm3(package_.at(path))).first;
    return it->second;
  }

 private:
  const Package& package_;
  std::map<std::string, Bytes> cache_;
};

void read_signature(const detail::Structure& s, const detail::ListedSignature& listed, FoundSignature& f, Digests& digests) {
  const Package& p = s.package;
  f.signature_path = listed.path;
  if (!p.has(listed.path)) {
    f.problem = "the package has no " + listed.path;
    return;
  }
  const Bytes& xml = p.at(listed.path);
  f.signature_xml_sm3 = trust::sm3(xml);
  f.signature_xml_length = xml.size();
  const XmlElement root = detail::parse_xml(xml, listed.path);
  const XmlElement* info = root.is("Signature") ? root.child("SignedInfo") : nullptr;
  if (!info) {
    f.problem = listed.path + " is not an ofd:Signature with SignedInfo";
    return;
  }
  if (const auto* m = info->child("SignatureMethod")) f.signature_method = m->trimmed_text();
  if (const auto* t = info->child("SignatureDateTime")) f.signature_date_time = t->trimmed_text();
  if (const auto* stamp = info->child("StampAnnot")) {
    const std::string ref = stamp->attribute("PageRef").value_or("");
    for (std::size_t i = 0; i < s.pages.size(); ++i)
      if (s.pages[i].id == ref) f.page = static_cast<int>(i + 1);
    if (const auto box = detail::parse_box(stamp->attribute("Boundary").value_or(""))) f.boundary = *box;
  }
  const XmlElement* refs = info->child("References");
  if (!refs) {
    f.problem = listed.path + " has no References";
    return;
  }
  // §18.2.2 表 68: CheckMethod defaults to MD5, which is not accepted here.
  f.check_method = refs->attribute("CheckMethod").value_or("MD5");
  f.check_method_supported = is_sm3(f.check_method);
  bool intact = f.check_method_supported;
  for (const XmlElement* r : refs->all("Reference")) {
    ReferenceCheck c;
    c.file_ref = r->attribute("FileRef").value_or("");
    try {
      c.file = resolve_location(listed.path, c.file_ref);
    } catch (const OfdError&) {
      c.file = c.file_ref;
    }
    c.present = p.has(c.file);
    const XmlElement* value = r->child("CheckValue");
    if (c.present && value && f.check_method_supported) {
      try {
        c.intact = trust::base64_decode(value->trimmed_text()) == digests.of(c.file);
      } catch (const trust::TrustError&) {
        c.intact = false;
      }
    }
    intact = intact && c.intact;
    f.references.push_back(c);
  }
  f.references_intact = intact && !f.references.empty();
  const XmlElement* signed_value = root.child("SignedValue");
  if (!signed_value) {
    f.problem = listed.path + " has no SignedValue";
    return;
  }
  f.signed_value_path = resolve_location(listed.path, signed_value->trimmed_text());
  if (p.has(f.signed_value_path)) f.signed_value = p.at(f.signed_value_path);
  else f.problem = "the package has no " + f.signed_value_path;
}

}  // namespace

std::vector<FoundSignature> find_signatures(const Bytes& ofd, const PackageLimits& limits) {
  const detail::Structure s = detail::open_structure(ofd, limits);
  std::vector<FoundSignature> found;
  Digests digests(s.package);
  for (const auto& listed : s.signatures) {
    FoundSignature f;
    f.id = listed.id;
    f.type = listed.type;
    try {
      read_signature(s, listed, f, digests);
    } catch (const OfdError& e) {
      f.problem = e.what();
    }
    found.push_back(std::move(f));
  }
  // Files no signature accounts for. For signature i, a file it does not
  // protect is expected only if it is Signatures.xml (§18.1), its own files,
  // or the files of a later signature that protects its Signature.xml.
  std::vector<std::set<std::string>> referenced;
  for (const auto& f : found) {
    std::set<std::string> files;
    for (const auto& r : f.references) files.insert(r.file);
    referenced.push_back(std::move(files));
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    auto& f = found[i];
    std::set<std::string> accounted = referenced[i];
    if (s.signatures_path) accounted.insert(*s.signatures_path);
    accounted.insert(f.signature_path);
    accounted.insert(f.signed_value_path);
    for (std::size_t j = 0; j < found.size(); ++j) {
      if (j != i && referenced[j].count(f.signature_path)) {  // a later signature protects this one
        accounted.insert(found[j].signature_path);
        accounted.insert(found[j].signed_value_path);
      }
    }
    for (const auto& path : s.package.order)
      if (!accounted.count(path)) f.unprotected_files.push_back(path);
  }
  return found;
}

}  // namespace zhaoyin::ofd
