#include "pdf_evidence.h"

#include <algorithm>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/timestamp.h>

namespace zhaoyin::signing {

Bytes with_validation_data(const Bytes& signed_pdf, const std::string& field_name, const SignatureEvidence& evidence,
                           const std::optional<Bytes>& timestamp_token) {
  pdf::ValidationData data;
  for (const auto& c : evidence.certificates) data.certs.push_back(c.der());
  for (const auto& c : evidence.crls) data.crls.push_back(c.der());
  // The TSA's certificates as the token carries them (RFC 3161 §2.4.1
  // certReq): a verifier elsewhere finds the TSA's chain here too.
  if (timestamp_token) {
    try {
      for (const auto& c : trust::parse_timestamp_token(*timestamp_token).certificates) data.certs.push_back(c.der());
    } catch (const trust::TrustError&) {
      // A token we obtained and checked parses; nothing to add if not.
    }
  }
  try {
    return pdf::add_validation_data(signed_pdf, field_name, data);
  } catch (const pdf::PdfError& e) {
    throw http::ApiError(422, e.code(), e.what());
  }
}

namespace {

bool same_der(const trust::Certificate& a, const trust::Certificate& b) { return a.der() == b.der(); }

bool is_anchor(const trust::TrustStore& store, const trust::Certificate& c) {
  for (const auto& root : store.roots())
    if (same_der(root, c)) return true;
  return false;
}

}  // namespace

SignatureEvidence evidence_in_file(const trust::TrustStore& authority, const trust::TrustStore& tsa,
                                   const pdf::DocumentSecurityStore& dss, const std::string& vri_key, TimePoint at) {
  SignatureEvidence out;
  out.source = "file";
  const auto vri = dss.vri.find(vri_key);
  out.from_vri = vri != dss.vri.end();
  const pdf::ValidationData& data = out.from_vri ? vri->second : dss.all;

  // Certificates: the authority's roots and intermediates, plus every CA
  // certificate of the file that chains to them, may issue; CA certificates
  // first, so an intermediate in the file can vouch for the next.
  trust::TrustStore issuers;
  for (const auto& r : authority.roots()) issuers.add_root(r);
  for (const auto& i : authority.intermediates()) issuers.add_intermediate(i);
  std::vector<trust::Certificate> parsed;
  for (std::size_t i = 0; i < data.certs.size(); ++i) {
    try {
      parsed.push_back(trust::Certificate::from_der(data.certs[i]));
    } catch (const trust::TrustError& e) {
      out.rejected.push_back("certificate " + std::to_string(i + 1) + ": does not parse (" + e.what() + ")");
    }
  }
  std::stable_partition(parsed.begin(), parsed.end(), [](const trust::Certificate& c) { return c.is_ca(); });
  for (const auto& c : parsed) {
    if (is_anchor(authority, c) || is_anchor(tsa, c)) continue;  // a root is trusted by configuration, not by the file
    const auto chain = issuers.verify(c, at, false);
    const auto tsa_chain = chain.ok ? chain : tsa.verify(c, at, false);
    if (!chain.ok && !tsa_chain.ok) {
      out.rejected.push_back("certificate " + c.subject_line() + ": does not chain to a trusted root at the time (" +
                             chain.code + ")");
      continue;
    }
    out.certificates.push_back(c);
    if (c.is_ca() && chain.ok) issuers.add_intermediate(c);
  }

  // CRLs: signed by a certificate trusted above, whose subject is the CRL's issuer.
  std::vector<trust::Certificate> may_sign = issuers.roots();
  may_sign.insert(may_sign.end(), issuers.intermediates().begin(), issuers.intermediates().end());
  for (std::size_t i = 0; i < data.crls.size(); ++i) {
    trust::Crl crl;
    try {
      crl = trust::Crl::from_der(data.crls[i]);
    } catch (const trust::TrustError& e) {
      out.rejected.push_back("CRL " + std::to_string(i + 1) + ": does not parse (" + e.what() + ")");
      continue;
    }
    bool signed_ok = false;
    for (const auto& issuer : may_sign)
      if (issuer.subject().attributes == crl.issuer().attributes && crl.signed_by(issuer)) signed_ok = true;
    if (!signed_ok) {
      out.rejected.push_back("CRL " + std::to_string(i + 1) + ": not signed by a trusted certificate of its issuer");
      continue;
    }
    out.crls.push_back(crl);
  }
  return out;
}

}  // namespace zhaoyin::signing
