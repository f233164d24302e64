#include "ofd_task.h"

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::signing {

namespace {

http::ApiError refusal(const ofd::OfdError& e) { return http::ApiError(422, e.code(), e.what()); }

std::vector<pdf::PageSize> page_sizes(const ofd::DocumentInfo& info) {
  std::vector<pdf::PageSize> sizes;
  for (const auto& p : info.pages) sizes.push_back({p.width_mm, p.height_mm});
  return sizes;
}

void check_placement(const pdf::Placement& p, const std::vector<pdf::PageSize>& pages, const std::string& what) {
  if (p.width_mm <= 0 || p.height_mm <= 0)
    throw http::ApiError::bad_request(what + ": width_mm and height_mm must be positive");
  if (p.page < 1 || p.page > static_cast<int>(pages.size()))
    throw http::ApiError(422, "placement_off_page", what + ": page " + std::to_string(p.page) +
                                                        " does not exist (the document has " + std::to_string(pages.size()) + ")");
  const auto& size = pages[static_cast<std::size_t>(p.page - 1)];
  if (p.x_mm < 0 || p.y_mm < 0 || p.x_mm + p.width_mm > size.width_mm + 0.01 || p.y_mm + p.height_mm > size.height_mm + 0.01)
    throw http::ApiError(422, "placement_off_page", what + ": the seal would leave page " + std::to_string(p.page));
}

// SignatureDateTime (§18.2.1) from RFC 3339 UTC: 2026-12-07T14:10:00Z -> 20261207141000Z.
std::string ofd_time(const std::string& rfc3339) {
  std::string out;
  for (const char c : rfc3339)
    if (c >= '0' && c <= '9') out += c;
  return out.substr(0, 14) + "Z";
}

}  // namespace

void check_ofd_for_task(SignTaskRequest& r, const Bytes& document) {
  ofd::DocumentInfo info;
  std::vector<ofd::FoundSignature> earlier;
  try {
    info = ofd::inspect(document);
    // A package whose earlier signatures cannot be read would be sealed and
    // then fail verification as a whole: refuse it now, as PDFs are.
    earlier = ofd::find_signatures(document);
  } catch (const ofd::OfdError& e) {
    throw refusal(e);
  }
  r.pages = static_cast<int>(info.pages.size());
  const auto sizes = page_sizes(info);
  if (r.placement) check_placement(*r.placement, sizes, "placement");
  for (const auto& [type, p] : r.placements) check_placement(p, sizes, "placements." + type);
  for (std::size_t i = 0; i < r.parties.size(); ++i)
    if (r.parties[i].placement) check_placement(*r.parties[i].placement, sizes, "parties[" + std::to_string(i) + "].placement");
  // Signatures made elsewhere (e.g. the first party's): sealing over a
  // package changed after them would seal what their signer never saw.
  for (const auto& s : earlier) {
    if (!s.problem.empty())
      throw http::ApiError(422, "malformed_ofd", "the OFD's signature " + s.id + " cannot be read: " + s.problem);
    // (References with a CheckMethod other than SM3 cannot be checked here; the verifier reports them.)
    if ((s.check_method_supported && !s.references_intact) || !s.unprotected_files.empty())
      throw http::ApiError(422, "document_modified",
                           "the OFD was changed after its signature " + s.id + " (" + s.signature_path + "): " +
                               (s.unprotected_files.empty() ? "a protected file changed" : "files added that no signature protects"));
  }
}

void require_ofd_intact(const SignTask& task, const Bytes& current) {
  if (task.signatures.empty()) return;
  std::vector<ofd::FoundSignature> found;
  try {
    found = ofd::find_signatures(current);
  } catch (const ofd::OfdError& e) {
    throw http::ApiError(409, "document_modified", std::string("the signed document no longer parses: ") + e.what());
  }
  if (found.size() < task.signatures.size())
    throw http::ApiError(409, "document_modified", "the document lists " + std::to_string(found.size()) +
                                                       " signatures, the task recorded " + std::to_string(task.signatures.size()));
  const std::size_t first_of_task = found.size() - task.signatures.size();
  for (std::size_t i = 0; i < task.signatures.size(); ++i)
    if (trust::hex_encode(found[first_of_task + i].signature_xml_sm3) != task.signatures[i].data_hash)
      throw http::ApiError(409, "document_modified",
                           "signature " + found[first_of_task + i].signature_path + " is not the one this task recorded");
  // GB/T 33190-2016 §18.2.2: each signature's References still match the
  // files, and nothing was added between signatures that none protects.
  for (const auto& s : found) {
    if (!s.problem.empty()) throw http::ApiError(409, "document_modified", "signature " + s.signature_path + ": " + s.problem);
    if (s.check_method_supported && !s.references_intact)
      throw http::ApiError(409, "document_modified", "a file protected by signature " + s.signature_path + " changed after signing");
    if (!s.unprotected_files.empty())
      throw http::ApiError(409, "document_modified",
                           "a file was added after signature " + s.signature_path + ": " + s.unprotected_files.front());
  }
}

OfdPreparation prepare_ofd_signature(const SignTask& task, const Bytes& current, const std::string& seal_type,
                                     const std::string& uscc, const std::string& signer_name,
                                     const std::string& signing_time_rfc3339) {
  try {
    const auto info = ofd::inspect(current);
    // Clear of the seal impressions already there (StampAnnot Boundary, mm).
    std::vector<pdf::Placement> occupied;
    for (const auto& s : ofd::find_signatures(current))
      if (s.page > 0 && s.boundary.size() == 4) occupied.push_back({s.page, s.boundary[0], s.boundary[1], s.boundary[2], s.boundary[3]});
    const pdf::Placement where = task.placement_for(seal_type, page_sizes(info), uscc, occupied);
    ofd::SignatureMeta meta;
    // GB/T 33190-2016 §18.1 表 66: Type "Sign" is a digital signature without
    // a seal — the license signature (its SignedValue a CMS, GM/T 0099-2020 §7.2.2 b).
    meta.type = seal_type == kLicenseSignature ? "Sign" : "Seal";
    meta.company = signer_name;
    meta.signing_time = ofd_time(signing_time_rfc3339);
    const auto prepared = ofd::prepare_signature(current, {where.page, where.x_mm, where.y_mm, where.width_mm, where.height_mm}, meta);
    OfdPreparation out;
    out.package = prepared.package;
    out.data_hash = prepared.signature_xml_sm3;
    out.signature_path = prepared.signature_path;
    // GB/T 38540-2020 §7.1: propertyInfo states the protection range. For OFD
    // the signed data is Signature.xml (GB/T 33190-2016 §18.2), named here
    // with the byte range over it that dataHash covers. (A license signature's
    // CMS has no such field; the same text tells the wallet what it signs.)
    out.property_info = "zhaoyin:ofd;task=" + task.id + ";file=/" + prepared.signature_path + ";byterange=0," +
                        std::to_string(prepared.signature_xml_length);
    return out;
  } catch (const ofd::OfdError& e) {
    throw refusal(e);
  }
}

Bytes complete_ofd_signature(const Bytes& prepared, const std::string& signature_path, const Bytes& ses_signature) {
  const auto slash = signature_path.rfind('/');
  const std::string signed_value = (slash == std::string::npos ? "" : signature_path.substr(0, slash + 1)) + "SignedValue.dat";
  try {
    return ofd::complete_signature(prepared, signed_value, ses_signature);
  } catch (const ofd::OfdError& e) {
    throw refusal(e);
  }
}

}  // namespace zhaoyin::signing
