#pragma once
// The one JSON serialisation that is ever hashed or signed: RFC 8785, the JSON
// Canonicalization Scheme (JCS). Both sides of every signature (grants, wallet
// requests and answers, business data sealed as `document.json`) sign and
// verify these exact bytes; see docs/protocol/canonical-json.md and
// docs/PROTOCOL.md, "Canonical JSON".
//
// In short (RFC 8785 §3.2): no whitespace; literals null, true, false;
// strings with only the escapes of §3.2.2.2 (\" \\ \b \t \n \f \r and
// \u00xx in lower-case hex for the other controls), everything else as UTF-8;
// numbers as ECMAScript's Number.prototype.toString of their IEEE-754 double
// (§3.2.2.3: 1.0 → 1, 1e2 → 100, -0 → 0, 1e21 → 1e+21, 1e-7 → 1e-7);
// object members sorted by their names as arrays of UTF-16 code units
// (§3.2.3), recursively; array order kept.
//
// Refused with CanonicalJsonError (what RFC 8785 cannot express exactly):
//  - ill-formed UTF-8 in a string or a member name (code invalid_json);
//  - NaN and the infinities (§3.2.2.3 requires an error; code
//    json_number_out_of_range);
//  - integers (nlohmann's int64/uint64 kinds) that JCS cannot write exactly:
//    it writes a number as its double's shortest digits, so 9007199254740993
//    would be signed as 9007199254740992 and 2^60 as 1152921504606847000 —
//    another number than the one held (RFC 8785 §3.2.2.3; RFC 7493 §2.2).
//    Every integer up to 2^53 in magnitude is exact; beyond, only those JCS
//    spells digit for digit (70000000000000000) are accepted, which keeps the
//    canonical text of any accepted value canonicalisable again when read
//    back (json::parse reads 7e16's canonical text as an integer). read_json
//    refuses every number beyond 2^53 on input anyway (code
//    json_number_out_of_range). Doubles of any finite magnitude are written
//    exactly as JCS says (1e30 → 1e+30);
//  - nlohmann values that are not JSON (binary, discarded; code invalid_json).
//
// The serialiser keeps its own stack: any nesting depth is handled without
// recursion (a value built by code may be deeper than read_json allows).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <zhaoyin/protocol/json_reader.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::protocol {

// A JsonInputError, so that a refused value that came from a caller (a
// `document.json` in a sign request, say) reaches the HTTP edge as a 400 with
// the same code read_json would have given it.
class CanonicalJsonError : public JsonInputError {
 public:
  CanonicalJsonError(std::string code, const std::string& message) : JsonInputError(std::move(code), message, 0) {}
};

// RFC 8785 canonical form as UTF-8 text; throws CanonicalJsonError.
std::string canonical_json(const nlohmann::json& value);
trust::Bytes canonical_bytes(const nlohmann::json& value);

using TimePoint = std::chrono::system_clock::time_point;

// RFC 3339 UTC with seconds, e.g. 2026-11-23T09:58:00Z.
std::string rfc3339(TimePoint t);
// Reads YYYY-MM-DDTHH:MM:SSZ (fractions of a second allowed and dropped);
// nullopt for anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace zhaoyin::protocol
