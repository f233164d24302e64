// Verification reports for OFD documents (ofd_task.h): each signature's
// SES_Signature (Type="Seal") or license CMS (Type="Sign") checked as any
// seal or license signature (verification_report.h) over the SM3 of its Signature.xml, then what GB/T 33190-2016 §18 adds — every
// Reference's CheckValue against the file as it is now (§18.2.2), and no file
// in the package that no signature protects.
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "ofd_task.h"
#include "verification_report.h"

namespace zhaoyin::signing {

namespace {

using nlohmann::json;

void fail(json& r, const char* sub_indication, const char* code, const std::string& message) {
  r["indication"] = "TOTAL_FAILED";
  r["sub_indication"] = sub_indication;
  r["code"] = code;
  r["message"] = message;
}

}  // namespace

json verify_ofd(const authority::AuthorityConnector& authority, const Bytes& ofd_bytes, const LongTermContext* long_term) {
  const auto found = ofd::find_signatures(ofd_bytes);
  json list = json::array();
  std::size_t passed = 0;
  for (const auto& s : found) {
    json r;
    if (!s.problem.empty() || s.signed_value.empty()) {
      const std::string problem = s.problem.empty() ? "the signature has no SignedValue" : s.problem;
      r = {{"indication", "TOTAL_FAILED"}, {"sub_indication", "FORMAT_FAILURE"}, {"code", "malformed"}, {"message", problem},
           {"checks", json::array({{{"name", "format"}, {"result", "failed"}, {"code", "malformed"}, {"detail", problem}}})}};
    } else if (s.type == "Sign") {
      // GB/T 33190-2016 §18.1 表 66: a digital signature without a seal; its
      // SignedValue is a CMS SignedData over Signature.xml (GM/T 0099-2020
      // §7.2.2 b), checked as a license signature. Told by Type, never by
      // guessing from the bytes: a Seal's value must be an SES_Signature.
      r = license_signature_report(authority, s.signed_value, s.signature_xml_sm3, long_term);
    } else {
      r = seal_signature_report(authority, s.signed_value, s.signature_xml_sm3, {0, s.signature_xml_length}, long_term);
      r["kind"] = "seal";
    }
    json references = json::array();
    std::vector<std::string> broken;
    for (const auto& ref : s.references) {
      references.push_back({{"file", ref.file}, {"present", ref.present}, {"intact", ref.intact}});
      if (!ref.intact) broken.push_back(ref.file);
    }
    r["ofd"] = {{"signature_id", s.id},
                {"type", s.type},
                {"signature_file", s.signature_path},
                {"signed_value_file", s.signed_value_path},
                {"signature_method", s.signature_method},
                {"signature_date_time", s.signature_date_time},
                {"check_method", s.check_method},
                {"references", references},
                {"references_intact", s.references_intact},
                {"unprotected_files", s.unprotected_files}};
    r["page"] = s.page == 0 ? json(nullptr) : json(s.page);
    r["boundary_mm"] = s.boundary.empty() ? json(nullptr) : json(s.boundary);
    const bool all_protected = s.unprotected_files.empty();
    r["coverage"] = {{"covers", all_protected ? "whole_document" : "document_then_unsigned_files"},
                     {"whole_document", all_protected},
                     {"changed_after_signing", !s.references_intact || !s.unprotected_files.empty()},
                     {"unsigned_changes_after", !s.unprotected_files.empty()}};
    if (r.contains("checks") && r["checks"].is_array()) {
      r["checks"].push_back({{"name", "ofd_references"}, {"result", s.references_intact ? "passed" : "failed"},
                             {"code", s.references_intact ? "ok" : "reference_mismatch"},
                             {"detail", "every Reference's CheckValue is the SM3 of its file (GB/T 33190-2016 §18.2.2)"}});
      r["checks"].push_back({{"name", "ofd_unprotected_files"}, {"result", all_protected ? "passed" : "failed"},
                             {"code", all_protected ? "ok" : "document_modified"},
                             {"detail", "no file in the package that no signature protects"}});
    }
    // The package's own checks come after the signature's: a seal signature
    // that verifies over a Signature.xml whose References no longer match the
    // files signs a document that is not this one.
    if (r["indication"] == "TOTAL_PASSED") {
      if (!s.check_method_supported) {
        fail(r, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "unsupported_algorithm",
             "References use CheckMethod " + s.check_method + ", not SM3 (GB/T 33190-2016 §18.2.2)");
        r["indication"] = "INDETERMINATE";
      } else if (!s.references_intact) {
        std::string files;
        for (const auto& f : broken) files += (files.empty() ? "" : ", ") + f;
        fail(r, "HASH_FAILURE", "reference_mismatch",
             s.references.empty() ? "the signature protects no file" : "files changed or missing since signing: " + files);
      } else if (!s.unprotected_files.empty()) {
        std::string files;
        for (const auto& f : s.unprotected_files) files += (files.empty() ? "" : ", ") + f;
        fail(r, "MODIFIED_AFTER_SIGNING", "document_modified", "files added after signing, protected by no signature: " + files);
      }
    }
    if (r["indication"] == "TOTAL_PASSED") ++passed;
    list.push_back(r);
  }
  return {{"document", {{"kind", "ofd"}, {"sm3", trust::hex_encode(trust::sm3(ofd_bytes))}, {"length", ofd_bytes.size()}}},
          {"summary", {{"signatures", list.size()}, {"passed", passed}}},
          {"signatures", list}};
}

}  // namespace zhaoyin::signing
