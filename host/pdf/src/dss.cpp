// The Document Security Store: written as its own incremental update, read
// back for verification, and told apart from other changes (dss.h).
#include <zhaoyin/pdf/dss.h>

#include <algorithm>
#include <qpdf/Buffer.hh>
#include <set>
#include "incremental_update.h"
#include "source_document.h"

namespace zhaoyin::pdf {

namespace {

// The three kinds of validation data, as the DSS (Table 261) and a VRI
// dictionary (Table 262) name their arrays.
struct Kind {
  const char* dss_key;
  const char* vri_key;
  std::vector<Bytes> ValidationData::*items;
};
constexpr Kind kKinds[] = {{"/Certs", "/Cert", &ValidationData::certs},
                           {"/CRLs", "/CRL", &ValidationData::crls},
                           {"/OCSPs", "/OCSP", &ValidationData::ocsps}};

// The decoded bytes of each stream in an array (items that are not streams,
// or whose filters libqpdf cannot undo, are skipped).
std::vector<std::pair<Bytes, QPDFObjectHandle>> streams_of(QPDFObjectHandle array) {
  std::vector<std::pair<Bytes, QPDFObjectHandle>> out;
  if (!array.isArray()) return out;
  for (int i = 0; i < array.getArrayNItems(); ++i) {
    QPDFObjectHandle item = array.getArrayItem(i);
    if (!item.isStream()) continue;
    try {
      const auto buffer = item.getStreamData(qpdf_dl_generalized);
      out.emplace_back(Bytes(buffer->getBuffer(), buffer->getBuffer() + buffer->getSize()), item);
    } catch (const std::exception&) {
      // An undecodable stream is no evidence; it stays in the array untouched.
    }
  }
  return out;
}

ValidationData read_lists(QPDFObjectHandle dictionary, bool vri) {
  ValidationData out;
  if (!dictionary.isDictionary()) return out;
  for (const Kind& kind : kKinds)
    for (auto& [bytes, handle] : streams_of(dictionary.getKey(vri ? kind.vri_key : kind.dss_key)))
      (out.*kind.items).push_back(std::move(bytes));
  return out;
}

// An object's content for comparing two revisions: a stream's dictionary and
// raw (undecoded) data, anything else its own text (references stay "n g R").
std::string fingerprint(QPDFObjectHandle object) {
  if (object.isStream()) {
    const auto raw = object.getRawStreamData();
    return object.getDict().unparse() + "\nstream\n" +
           std::string(reinterpret_cast<const char*>(raw->getBuffer()), raw->getSize());
  }
  return object.unparseResolved();
}

// Every indirect object reachable from `object`.
void reachable(QPDFObjectHandle object, std::set<QPDFObjGen>& seen) {
  if (object.isIndirect()) {
    if (!seen.insert(object.getObjGen()).second) return;
  }
  if (object.isStream()) {
    reachable(object.getDict(), seen);
  } else if (object.isArray()) {
    for (int i = 0; i < object.getArrayNItems(); ++i) reachable(object.getArrayItem(i), seen);
  } else if (object.isDictionary()) {
    for (const auto& key : object.getKeys()) reachable(object.getKey(key), seen);
  }
}

std::string without_dss(QPDFObjectHandle catalog) {
  QPDFObjectHandle copy = catalog.shallowCopy();
  copy.removeKey("/DSS");
  return copy.unparseResolved();
}

std::string trailer_reference(QPDF& q, const char* key) {
  QPDFObjectHandle value = q.getTrailer().getKey(key);
  return value.isIndirect() ? detail::reference(value) : value.unparse();
}

}  // namespace

Bytes add_validation_data(const Bytes& pdf, const std::string& field_name, const ValidationData& data) {
  return detail::qpdf_guarded([&] {
    std::string key;
    for (const auto& s : find_signatures(pdf))
      if (s.field_name == field_name) key = s.vri_key;
    if (key.empty()) throw PdfError("invalid_argument", "the document has no signature in field " + field_name);

    const auto doc = detail::open_document(pdf);
    QPDF& q = *doc->qpdf;
    QPDFObjectHandle root = q.getRoot();
    QPDFObjectHandle old = root.getKey("/DSS");
    if (!old.isDictionary()) old = QPDFObjectHandle::newNull();
    detail::IncrementalUpdate update(*doc);

    std::string lists;  // the DSS's /Certs /CRLs /OCSPs
    std::string entry;  // this signature's VRI dictionary
    for (const Kind& kind : kKinds) {
      // What the store holds already is kept, and not stored a second time.
      std::vector<std::pair<Bytes, std::string>> known;
      std::string items;
      if (old.isDictionary()) {
        QPDFObjectHandle array = old.getKey(kind.dss_key);
        items = detail::array_items(array);
        for (auto& [bytes, handle] : streams_of(array))
          if (handle.isIndirect()) known.emplace_back(std::move(bytes), detail::reference(handle));
      }
      std::vector<std::string> mine;
      for (const Bytes& der : data.*kind.items) {
        auto it = std::find_if(known.begin(), known.end(), [&](const auto& k) { return k.first == der; });
        std::string ref;
        if (it != known.end()) {
          ref = it->second;
        } else {
          const int number = update.allocate();
          update.put(number, 0, detail::stream_object("", der));
          ref = std::to_string(number) + " 0 R";
          known.emplace_back(der, ref);
          items += ref + " ";
        }
        if (std::find(mine.begin(), mine.end(), ref) == mine.end()) mine.push_back(ref);
      }
      if (!items.empty()) lists += std::string(" ") + kind.dss_key + " [ " + items + "]";
      if (!mine.empty()) {
        entry += std::string(" ") + kind.vri_key + " [ ";
        for (const auto& ref : mine) entry += ref + " ";
        entry += "]";
      }
    }

    // The other signatures' VRI entries stay as they are.
    std::string vri = "<<";
    QPDFObjectHandle old_vri = old.isDictionary() ? old.getKey("/VRI") : QPDFObjectHandle::newNull();
    if (old_vri.isDictionary())
      for (const auto& k : old_vri.getKeys())
        if (k != "/" + key) vri += " " + QPDFObjectHandle::newName(k).unparse() + " " + old_vri.getKey(k).unparse();
    vri += " /" + key + " << /Type /VRI" + entry + " >> >>";

    const std::string dss =
        old.isDictionary()
            ? detail::rewrite_dictionary(old, {"/Type", "/Certs", "/CRLs", "/OCSPs", "/VRI"}, " /Type /DSS" + lists + " /VRI " + vri)
            : "<< /Type /DSS" + lists + " /VRI " + vri + " >>";
    const int dss_number = update.allocate();
    update.put(dss_number, 0, dss);
    update.put(root.getObjGen().getObj(), root.getObjGen().getGen(),
               detail::rewrite_dictionary(root, {"/DSS"}, " /DSS " + std::to_string(dss_number) + " 0 R"));
    return update.write(detail::trailer_entries(q));
  });
}

DocumentSecurityStore read_validation_data(const Bytes& pdf) {
  return detail::qpdf_guarded([&] {
    const auto doc = detail::open_document(pdf);
    DocumentSecurityStore out;
    QPDFObjectHandle dss = doc->qpdf->getRoot().getKey("/DSS");
    if (!dss.isDictionary()) return out;
    out.present = true;
    out.all = read_lists(dss, false);
    QPDFObjectHandle vri = dss.getKey("/VRI");
    if (vri.isDictionary())
      for (const auto& key : vri.getKeys()) out.vri[key.substr(1)] = read_lists(vri.getKey(key), true);
    return out;
  });
}

bool validation_data_only(const Bytes& pdf, std::size_t from, std::size_t to) {
  if (from == 0 || from >= to || to > pdf.size()) return false;
  try {
    const auto before = detail::open_document(Bytes(pdf.begin(), pdf.begin() + static_cast<long>(from)));
    const auto after = detail::open_document(Bytes(pdf.begin(), pdf.begin() + static_cast<long>(to)));
    QPDF& b = *before->qpdf;
    QPDF& a = *after->qpdf;
    const QPDFObjGen root = a.getRoot().getObjGen();
    if (root != b.getRoot().getObjGen()) return false;
    if (trailer_reference(a, "/Info") != trailer_reference(b, "/Info")) return false;
    std::set<QPDFObjGen> in_dss;
    reachable(a.getRoot().getKey("/DSS"), in_dss);
    std::set<QPDFObjGen> now;
    for (QPDFObjectHandle object : a.getAllObjects()) {
      const QPDFObjGen og = object.getObjGen();
      now.insert(og);
      QPDFObjectHandle earlier = b.getObjectByObjGen(og);
      if (earlier.isNull()) {
        // New: validation data, or the update's own cross-reference stream.
        const bool xref = object.isStream() && object.getDict().getKey("/Type").isNameAndEquals("/XRef");
        if (!in_dss.count(og) && !xref) return false;
        continue;
      }
      if (fingerprint(earlier) == fingerprint(object)) continue;
      if (og == root && without_dss(earlier) == without_dss(object)) continue;
      return false;  // a page, a form, an annotation... rewritten after the signature
    }
    for (QPDFObjectHandle object : b.getAllObjects())
      if (!now.count(object.getObjGen())) return false;  // an object freed
    return true;
  } catch (const std::exception&) {
    return false;  // a revision that does not read as a sound update is a change
  }
}

}  // namespace zhaoyin::pdf
