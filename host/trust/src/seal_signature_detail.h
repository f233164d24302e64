#pragma once
// What seal_signature.cpp (the dispatch, v4, verification) and
// seal_signature_v1.cpp (GM/T 0031-2014) share. Internal to zhaoyin_trust.
#include <string>
#include <vector>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/seal_signature.h>

namespace zhaoyin::trust::seal_signature_detail {

// Throws TrustError("malformed", "SES_Signature: " + what).
[[noreturn]] void malformed(const std::string& what);

// `e` itself when its tag is `tag`; otherwise malformed ("<what> has the wrong type").
const der::Element& expect(const der::Element& e, std::uint8_t tag, const char* what);

// Fills `out` (all but `der`) from a GM/T 0031-2014 SES_Signature, given the
// top SEQUENCE's elements (two: toSign, signature). Throws TrustError("malformed").
void parse_v1(const std::vector<der::Element>& fields, ParsedSealSignature& out);

}  // namespace zhaoyin::trust::seal_signature_detail
