#pragma once
// Internal to zhaoyin_trust: DER helpers the time-stamp files share.
#include <string>
#include <string_view>
#include <zhaoyin/trust/der.h>

namespace zhaoyin::trust::tsp {

[[noreturn]] void malformed(const std::string& what);  // TrustError("malformed")
const der::Element& expect(const der::Element& e, std::uint8_t tag, const char* what);
// A positive INTEGER's magnitude (leading zeros dropped); at most 64 octets.
Bytes magnitude(const der::Element& integer);
// The OID of an AlgorithmIdentifier whose parameters are absent or NULL.
std::string algorithm_oid(const der::Element& algorithm_identifier);
Bytes algorithm_identifier(std::string_view oid);  // parameters absent
void read_imprint(const der::Element& e, std::string& hash_oid, Bytes& hashed);
Bytes imprint(std::string_view hash_oid, const Bytes& hashed);
// Policy OIDs, whose arcs may exceed 64 bits (a UUID under 2.25).
Bytes policy_oid(std::string_view dotted);
std::string policy_text(const der::Element& e);

}  // namespace zhaoyin::trust::tsp
