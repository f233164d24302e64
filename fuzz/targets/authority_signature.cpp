// The Authority-Signature header of the authority service's answers
// (host/authority/src/status_answer.cpp, docs/AUTHORITY.md §Authenticated
// status endpoints): the host's http connector parses it from whatever the
// network hands back before it verifies anything.
// Properties, from the format's rules rather than the parser's code:
//   - it never throws, and accepts nothing longer than 4096 bytes;
//   - an accepted signer is non-empty upper-case hex, the signature non-empty
//     visible ASCII without '"' or '\';
//   - the two values written back in the other order parse to the same values.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <zhaoyin/authority/status_answer.h>

using namespace zhaoyin::authority;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string header(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_authority_signature(header);
  if (!parsed) return 0;
  require(header.size() <= 4096);
  require(!parsed->signer_serial.empty() && !parsed->signature.empty());
  for (const char c : parsed->signer_serial) require((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
  for (const unsigned char c : parsed->signature) require(c >= 0x21 && c <= 0x7E && c != '"' && c != '\\');
  const auto again =
      parse_authority_signature("signature=\"" + parsed->signature + "\", signer=\"" + parsed->signer_serial + "\"");
  require(again && again->signer_serial == parsed->signer_serial && again->signature == parsed->signature);
  return 0;
}
