#pragma once
// The parts of an OFD package signing and verification need: the main entry
// (OFD.xml, GB/T 33190-2016 §7.4), the first document (Document.xml, §7.5),
// its pages' sizes (§7.6-7.7) and its list of signatures (§18.1).
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/ofd/ofd_signing.h>

#include "xml_tree.h"

namespace zhaoyin::ofd::detail {

inline constexpr const char* kMainEntry = "OFD.xml";

struct ListedSignature {
  std::string id;
  std::string type;   // Seal (default) | Sign
  std::string path;   // Signature.xml, resolved
};

struct Structure {
  Package package;
  XmlElement main;                      // OFD.xml's root
  std::string doc_body_qname;           // e.g. ofd:DocBody
  std::string document_path;
  std::vector<PageInfo> pages;
  std::optional<std::string> signatures_path;  // DocBody/Signatures, resolved
  std::vector<ListedSignature> signatures;     // from Signatures.xml
  std::string max_sign_id;
};

// Throws OfdError (malformed_ofd, unsupported_ofd for more than one DocBody, ofd_limit_exceeded).
Structure open_structure(const Bytes& ofd, const PackageLimits& limits);
Structure open_structure(Package package);

// "a b c d" of ST_Box (§5.2 基本数据类型): four finite numbers. nullopt otherwise.
std::optional<std::vector<double>> parse_box(const std::string& text);

}  // namespace zhaoyin::ofd::detail
