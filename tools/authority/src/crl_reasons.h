#pragma once
// RFC 5280 §5.3.1 CRLReason codes and their names (as registry.json writes
// them: keyCompromise, ...). One table for the operator command, the OCSP
// responder and the status answers.
#include <string>

namespace zhaoyin::authority_service {

// Accepts the RFC name or snake_case ("key_compromise"); throws
// std::invalid_argument for anything else and for removeFromCRL / 7.
int crl_reason_code(const std::string& name);
std::string crl_reason_name(int code);  // "unspecified" for anything unknown

}  // namespace zhaoyin::authority_service
