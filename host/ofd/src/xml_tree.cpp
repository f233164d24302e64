#include "xml_tree.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/LexicalHandler.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/XML/XMLException.h>
#include <zhaoyin/trust/text.h>

namespace zhaoyin::ofd::detail {

namespace {

// Thrown out of the parser's callbacks (Poco lets SAX handlers throw) and
// turned into an OfdError once the parser has unwound.
struct Refusal {
  std::string code;
  std::string message;
};

class TreeBuilder : public Poco::XML::DefaultHandler, public Poco::XML::LexicalHandler {
 public:
  explicit TreeBuilder(const XmlLimits& limits) : limits_(limits) {}

  XmlElement root;
  bool has_root = false;

  void startElement(const Poco::XML::XMLString& uri, const Poco::XML::XMLString& local,
                    const Poco::XML::XMLString& qname, const Poco::XML::Attributes& attributes) override {
    if (++elements_ > limits_.max_elements)
      throw Refusal{"ofd_limit_exceeded", "more than " + std::to_string(limits_.max_elements) + " elements"};
    if (stack_.size() >= limits_.max_depth)
      throw Refusal{"ofd_limit_exceeded", "elements nested deeper than " + std::to_string(limits_.max_depth)};
    XmlElement e;
    e.uri = uri;
    e.name = local;
    e.qname = qname;
    for (int i = 0; i < attributes.getLength(); ++i) {
      if (!attributes.getURI(i).empty()) continue;  // namespaced attributes (xmlns:*, xml:*) are not OFD's
      const std::string& name = attributes.getLocalName(i).empty() ? attributes.getQName(i) : attributes.getLocalName(i);
      if (name.rfind("xmlns", 0) == 0) continue;
      e.attributes.emplace_back(name, attributes.getValue(i));
    }
    if (stack_.empty()) {
      if (has_root) throw Refusal{"malformed_ofd", "two root elements"};
      root = std::move(e);
      has_root = true;
      stack_.push_back(&root);
    } else {
      stack_.back()->children.push_back(std::move(e));
      stack_.push_back(&stack_.back()->children.back());
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
    if (!stack_.empty()) stack_.pop_back();
  }
  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (!stack_.empty()) stack_.back()->text.append(ch + start, static_cast<std::size_t>(length));
  }
  void startDTD(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
    throw Refusal{"malformed_ofd", "a DOCTYPE (OFD files have none; entities are not expanded here)"};
  }
  void endDTD() override {}
  void startEntity(const Poco::XML::XMLString&) override {}
  void endEntity(const Poco::XML::XMLString&) override {}
  void startCDATA() override {}
  void endCDATA() override {}
  void comment(const Poco::XML::XMLChar[], int, int) override {}
  void skippedEntity(const Poco::XML::XMLString& name) override {
    throw Refusal{"malformed_ofd", "an undefined entity &" + name + ";"};
  }

 private:
  const XmlLimits& limits_;
  std::vector<XmlElement*> stack_;  // pointers stay valid: a parent's children grow only while it is the innermost open element
  std::size_t elements_ = 0;
};

}  // namespace

bool XmlElement::is(const char* local) const { return name == local && (uri.empty() || uri == kOfdNamespace); }

const XmlElement* XmlElement::child(const char* local) const {
  for (const auto& c : children)
    if (c.is(local)) return &c;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::all(const char* local) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children)
    if (c.is(local)) out.push_back(&c);
  return out;
}

std::optional<std::string> XmlElement::attribute(const char* local) const {
  for (const auto& [k, v] : attributes)
    if (k == local) return v;
  return std::nullopt;
}

std::string XmlElement::trimmed_text() const {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string XmlElement::prefix() const {
  const auto colon = qname.find(':');
  return colon == std::string::npos ? "" : qname.substr(0, colon + 1);
}

XmlElement parse_xml(const Bytes& xml, const std::string& file, const XmlLimits& limits) {
  TreeBuilder builder(limits);
  Poco::XML::SAXParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACE_PREFIXES, true);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  parser.setContentHandler(&builder);
  parser.setErrorHandler(&builder);
  parser.setProperty(Poco::XML::XMLReader::PROPERTY_LEXICAL_HANDLER, static_cast<Poco::XML::LexicalHandler*>(&builder));
  try {
    parser.parseMemoryNP(reinterpret_cast<const char*>(xml.data()), xml.size());
  } catch (const Refusal& r) {
    throw OfdError(r.code, file + ": " + r.message);
  } catch (const Poco::Exception& e) {
    throw OfdError("malformed_ofd", file + " is not well-formed XML: " + e.displayText().substr(0, 200));
  }
  if (!builder.has_root) throw OfdError("malformed_ofd", file + " has no root element");
  return std::move(builder.root);
}

std::string xml_escape(const std::string& text) { return trust::escape_markup(text); }

}  // namespace zhaoyin::ofd::detail
