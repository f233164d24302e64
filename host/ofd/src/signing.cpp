// Adding a seal signature to an OFD package (ofd_signing.h, GB/T 33190-2016 §18).
#include <zhaoyin/ofd/ofd_signing.h>

#include <cstdio>
#include <set>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "structure.h"

namespace zhaoyin::ofd {

namespace {

using detail::Structure;
using detail::xml_escape;

std::string mm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// §18.1 (图 85 表 66): MaxSignId and one Signature per entry, IDs "sNNN" as the standard recommends.
std::string signatures_xml(const std::vector<detail::ListedSignature>& list, const std::string& max_id) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signatures xmlns:ofd=\"" +
                  std::string(detail::kOfdNamespace) + "\">\n  <ofd:MaxSignId>" + xml_escape(max_id) + "</ofd:MaxSignId>\n";
  for (const auto& s : list)
    x += "  <ofd:Signature ID=\"" + xml_escape(s.id) + "\" Type=\"" + xml_escape(s.type) + "\" BaseLoc=\"/" +
         xml_escape(s.path) + "\"/>\n";
  return x + "</ofd:Signatures>\n";
}

// The number in an "sNNN" (or plain "NNN") identifier; 0 when there is none.
unsigned long sign_number(const std::string& id) {
  std::string digits = id.empty() || id[0] != 's' ? id : id.substr(1);
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoul(digits);
}

// OFD.xml with <Signatures> added as DocBody's last child (§7.4: DocBody is
// DocInfo, DocRoot, Versions?, Signatures?). The text is spliced in before the
// closing tag rather than re-serialised, so the rest of the file keeps its
// bytes; the result is parsed again and must name the new list.
Bytes main_entry_with_signatures(const Structure& s, const std::string& signatures_path) {
  const Bytes& original = s.package.at(detail::kMainEntry);
  const std::string text(original.begin(), original.end());
  const std::string close = "</" + s.doc_body_qname + ">";
  const auto at = text.rfind(close);
  if (at == std::string::npos) throw OfdError("unsupported_ofd", "OFD.xml's DocBody has no closing tag to add Signatures before");
  const auto colon = s.doc_body_qname.find(':');
  const std::string prefix = colon == std::string::npos ? "" : s.doc_body_qname.substr(0, colon + 1);
  const std::string edited = text.substr(0, at) + "<" + prefix + "Signatures>" + xml_escape(signatures_path) + "</" + prefix +
                             "Signatures>" + text.substr(at);
  Package check = s.package;
  check.put(detail::kMainEntry, bytes_of(edited));
  check.put(signatures_path, bytes_of(signatures_xml({}, "s000")));
  const Structure reread = detail::open_structure(std::move(check));
  if (reread.signatures_path != signatures_path)
    throw OfdError("unsupported_ofd", "OFD.xml could not be given a Signatures entry");
  return bytes_of(edited);
}

}  // namespace

DocumentInfo inspect(const Bytes& ofd, const PackageLimits& limits) {
  const Structure s = detail::open_structure(ofd, limits);
  DocumentInfo info;
  info.document_path = s.document_path;
  info.pages = s.pages;
  info.signatures = s.signatures.size();
  info.files = s.package.order.size();
  return info;
}

PreparedSignature prepare_signature(const Bytes& ofd, const Placement& placement, const SignatureMeta& meta,
                                    const PackageLimits& limits) {
  if (meta.type != "Seal" && meta.type != "Sign")
    throw OfdError("invalid_argument", "a signature's Type is Seal or Sign (GB/T 33190-2016 §18.1), not " + meta.type);
  const bool seal = meta.type == "Seal";
  Structure s = detail::open_structure(ofd, limits);
  if (seal && (placement.page < 1 || static_cast<std::size_t>(placement.page) > s.pages.size()))
    throw OfdError("placement_off_page", "the document has " + std::to_string(s.pages.size()) + " pages, not page " +
                                             std::to_string(placement.page));
  constexpr double kSlack = 0.01;
  if (seal) {
    const PageInfo& page = s.pages[static_cast<std::size_t>(placement.page - 1)];
    if (placement.width_mm <= 0 || placement.height_mm <= 0 || placement.x_mm < 0 || placement.y_mm < 0 ||
        placement.x_mm + placement.width_mm > page.width_mm + kSlack || placement.y_mm + placement.height_mm > page.height_mm + kSlack)
      throw OfdError("placement_off_page", "the seal at (" + mm(placement.x_mm) + ", " + mm(placement.y_mm) + ") mm, " +
                                               mm(placement.width_mm) + " x " + mm(placement.height_mm) + " mm, leaves page " +
                                               std::to_string(placement.page));
  }

  // Where the list lives: as OFD.xml says, or Signs/ beside Document.xml.
  Package& package = s.package;
  std::string list_path;
  if (s.signatures_path) {
    list_path = *s.signatures_path;
  } else {
    list_path = directory_of(s.document_path) + "Signs/Signatures.xml";
    if (package.has(list_path)) throw OfdError("unsupported_ofd", list_path + " exists but OFD.xml does not name it");
    package.put(detail::kMainEntry, main_entry_with_signatures(s, list_path));
  }
  unsigned long number = sign_number(s.max_sign_id);
  std::set<std::string> ids;
  for (const auto& l : s.signatures) {
    number = std::max(number, sign_number(l.id));
    ids.insert(l.id);
  }
  char id_buf[16];
  std::string id;
  do {
    std::snprintf(id_buf, sizeof id_buf, "s%03lu", ++number);
    id = id_buf;
  } while (ids.count(id));
  // A directory no file and no listed signature uses yet (a list may name
  // files the package lacks: found by fuzz_ofd_package).
  std::set<std::string> listed_paths;
  for (const auto& l : s.signatures) listed_paths.insert(l.path);
  std::size_t n = s.signatures.size();
  std::string sign_dir;
  do {
    sign_dir = directory_of(list_path) + "Sign_" + std::to_string(n++) + "/";
  } while (package.has(sign_dir + "Signature.xml") || package.has(sign_dir + "SignedValue.dat") ||
           listed_paths.count(sign_dir + "Signature.xml"));
  const std::string signature_path = sign_dir + "Signature.xml";
  const std::string signed_value_path = sign_dir + "SignedValue.dat";

  // §18.1: Signatures.xml is left out of the References (more seals may
  // follow); the new signature's own files do not exist yet.
  std::string references;
  std::size_t count = 0;
  for (const auto& path : package.order) {
    if (path == list_path) continue;
    references += "      <ofd:Reference FileRef=\"/" + xml_escape(path) + "\">\n        <ofd:CheckValue>" +
                  trust::base64_encode(trust::sm3(package.at(path))) + "</ofd:CheckValue>\n      </ofd:Reference>\n";
    ++count;
  }
  std::string company = meta.company.empty() ? "" : " Company=\"" + xml_escape(meta.company) + "\"";
  const std::string signature =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signature xmlns:ofd=\"" + std::string(detail::kOfdNamespace) + "\">\n"
      "  <ofd:SignedInfo>\n"
      "    <ofd:Provider ProviderName=\"" + xml_escape(meta.provider_name) + "\" Version=\"" + xml_escape(meta.provider_version) +
      "\"" + company + "/>\n"
      "    <ofd:SignatureMethod>" + kSm2WithSm3Oid + "</ofd:SignatureMethod>\n"
      "    <ofd:SignatureDateTime>" + xml_escape(meta.signing_time) + "</ofd:SignatureDateTime>\n"
      "    <ofd:References CheckMethod=\"" + kSm3Oid + "\">\n" + references + "    </ofd:References>\n"
      // §18.2.3: a seal's appearance; a "Sign" signature has none.
      + (seal ? "    <ofd:StampAnnot ID=\"" + id + "\" PageRef=\"" +
                    xml_escape(s.pages[static_cast<std::size_t>(placement.page - 1)].id) + "\" Boundary=\"" +
                    mm(placement.x_mm) + " " + mm(placement.y_mm) + " " + mm(placement.width_mm) + " " +
                    mm(placement.height_mm) + "\"/>\n"
              : std::string()) +
      "  </ofd:SignedInfo>\n"
      "  <ofd:SignedValue>/" + xml_escape(signed_value_path) + "</ofd:SignedValue>\n"
      "</ofd:Signature>\n";
  package.put(signature_path, bytes_of(signature));
  auto list = s.signatures;
  list.push_back({id, meta.type, signature_path});
  package.put(list_path, bytes_of(signatures_xml(list, id)));

  PreparedSignature out;
  out.package = write_package(package);
  out.signature_path = signature_path;
  out.signed_value_path = signed_value_path;
  out.signature_xml_sm3 = trust::sm3(package.at(signature_path));
  out.signature_xml_length = signature.size();
  out.references = count;
  return out;
}

Bytes complete_signature(const Bytes& prepared_package, const std::string& signed_value_path, const Bytes& ses_signature,
                         const PackageLimits& limits) {
  Package package = read_package(prepared_package, limits);
  if (package.has(signed_value_path)) throw OfdError("invalid_argument", signed_value_path + " is already there");
  package.put(signed_value_path, ses_signature);
  return write_package(package);
}

}  // namespace zhaoyin::ofd
