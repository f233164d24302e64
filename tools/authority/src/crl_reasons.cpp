#include "crl_reasons.h"

#include <stdexcept>

namespace zhaoyin::authority_service {

namespace {

struct Reason {
  int code;
  const char* name;
  const char* snake;
};

// 7 is unassigned and 8 (removeFromCRL) belongs to delta CRLs.
constexpr Reason kReasons[] = {
    {0, "unspecified", "unspecified"},
    {1, "keyCompromise", "key_compromise"},
    {2, "cACompromise", "ca_compromise"},
    {3, "affiliationChanged", "affiliation_changed"},
    {4, "superseded", "superseded"},
    {5, "cessationOfOperation", "cessation_of_operation"},
    {6, "certificateHold", "certificate_hold"},
    {9, "privilegeWithdrawn", "privilege_withdrawn"},
    {10, "aACompromise", "aa_compromise"},
};

}  // namespace

int crl_reason_code(const std::string& name) {
  for (const auto& r : kReasons)
    if (name == r.name || name == r.snake) return r.code;
  throw std::invalid_argument("unknown CRL reason \"" + name + "\" (RFC 5280: unspecified, keyCompromise, cACompromise, "
                              "affiliationChanged, superseded, cessationOfOperation, certificateHold, "
                              "privilegeWithdrawn, aACompromise)");
}

std::string crl_reason_name(int code) {
  for (const auto& r : kReasons)
    if (code == r.code) return r.name;
  return "unspecified";
}

}  // namespace zhaoyin::authority_service
