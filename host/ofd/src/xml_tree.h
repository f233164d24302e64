#pragma once
// The XML files of an OFD package (OFD.xml, Document.xml, pages,
// Signatures.xml, Signature.xml) read into a small tree, with limits: these
// are outside bytes. A DOCTYPE is refused outright (OFD's schemas need none,
// and internal entities are how "billion laughs" expansions are written), no
// external entity is ever resolved, and the nesting depth and the number of
// elements are bounded before the tree is built (GB/T 33190-2016 documents
// nest a handful of levels; a page's content a few more).
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/ofd/package.h>

namespace zhaoyin::ofd::detail {

// GB/T 33190-2016 §7.1: the namespace of every OFD element.
inline constexpr const char* kOfdNamespace = "http://www.ofdspec.org/2016";

struct XmlLimits {
  std::size_t max_depth = 64;
  std::size_t max_elements = 200000;
};

struct XmlElement {
  std::string uri;     // namespace URI ("" when none)
  std::string name;    // local name
  std::string qname;   // as written, e.g. "ofd:DocBody"
  std::vector<std::pair<std::string, std::string>> attributes;  // local name, value (unqualified attributes)
  std::string text;    // character data directly inside, concatenated
  std::vector<XmlElement> children;

  // OFD elements are matched by local name in the OFD namespace (or in none,
  // as some producers write them).
  bool is(const char* local) const;
  const XmlElement* child(const char* local) const;
  std::vector<const XmlElement*> all(const char* local) const;
  std::optional<std::string> attribute(const char* local) const;
  std::string trimmed_text() const;
  // The qname's prefix with its colon ("ofd:"), or "" for a default namespace.
  std::string prefix() const;
};

// Throws OfdError(malformed_ofd) naming `file` for XML that does not parse,
// has a DOCTYPE, or exceeds a limit (ofd_limit_exceeded).
XmlElement parse_xml(const Bytes& xml, const std::string& file, const XmlLimits& limits = {});

// Text and attribute values escaped for XML.
std::string xml_escape(const std::string& text);

}  // namespace zhaoyin::ofd::detail
