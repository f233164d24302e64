// JSON as the host hashes and signs it: canonical_json (RFC 8785 / JCS) of
// whatever a wallet or relying party sent, and RFC 3339 times read from it.
// Properties checked:
//   - canonicalisation is idempotent: parsing the canonical text and
//     canonicalising again gives the same bytes (two parties that
//     re-serialise a signed object must hash the same thing);
//   - canonical_json throws only nlohmann::json::exception;
//   - parse_rfc3339 never throws, and what it accepts prints back as a time
//     that parses to the same instant.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <zhaoyin/protocol/canonical_json.h>

using namespace zhaoyin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Round trip from 1970 on: strftime prints years before 1000 with fewer
  // than four digits, which parse_rfc3339 rightly refuses.
  if (const auto t = protocol::parse_rfc3339(text); t && t->time_since_epoch().count() >= 0) {
    const auto again = protocol::parse_rfc3339(protocol::rfc3339(*t));
    // rfc3339() prints whole seconds; leap second :60 and fractions differ by < 2 s.
    if (!again || (*again - *t > std::chrono::seconds(1)) || (*t - *again > std::chrono::seconds(1))) std::abort();
  }

  const nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return 0;
  std::string canonical;
  try {
    canonical = protocol::canonical_json(value);
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  const nlohmann::json reparsed = nlohmann::json::parse(canonical, nullptr, false);
  if (reparsed.is_discarded()) std::abort();  // our own output must be JSON
  if (protocol::canonical_json(reparsed) != canonical) std::abort();
  return 0;
}
