// JSON from outside as the host reads it (protocol::read_json: request
// bodies, wallet answers, grants, uploaded files). Properties checked:
//   - read_json throws nothing but JsonInputError, with one of its codes;
//   - what it accepts is within the limits it was given (depth, numbers), and
//     everything that walks a value later (dump, canonical JSON, copy,
//     compare) handles it: a few hundred KB of '[' used to overflow the stack;
//   - what it accepts prints as JSON that reads back to the same value.
// Each input is read with the default limits and with small ones, so the
// limit paths are reached by short inputs too.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/json_reader.h>

using namespace zhaoyin;

namespace {

std::size_t depth_of(const nlohmann::json& v, std::size_t limit) {
  if (!v.is_structured()) return 0;
  if (limit == 0) std::abort();  // deeper than the reader allowed
  std::size_t deepest = 0;
  for (const auto& child : v) deepest = std::max(deepest, depth_of(child, limit - 1));
  return deepest + 1;
}

bool numbers_in_range(const nlohmann::json& v) {
  if (v.is_number_float()) return std::isfinite(v.get<double>()) && std::fabs(v.get<double>()) <= protocol::kMaxSafeJsonNumber;
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= (std::uint64_t{1} << 53);
  if (v.is_number_integer()) return std::llabs(v.get<std::int64_t>()) <= (std::int64_t{1} << 53);
  if (v.is_structured())
    for (const auto& child : v)
      if (!numbers_in_range(child)) return false;
  return true;
}

void check(std::string_view text, const protocol::JsonLimits& limits) {
  nlohmann::json value;
  try {
    value = protocol::read_json(text, limits);
  } catch (const protocol::JsonInputError& e) {
    const std::string& c = e.code();
    if (c != "invalid_json" && c != "json_too_deep" && c != "json_too_large" && c != "json_number_out_of_range" &&
        c != "json_duplicate_key")
      std::abort();
    return;
  }
  depth_of(value, limits.max_depth);
  if (!numbers_in_range(value)) std::abort();
  const std::string printed = value.dump();
  const nlohmann::json copy = value;
  if (!(copy == value)) std::abort();
  try {
    if (protocol::read_json(printed, limits) != value) std::abort();
  } catch (const protocol::JsonInputError&) {
    std::abort();  // our own printing of an accepted value must be accepted
  }
  // Canonical JSON refuses only integers beyond 2^53, which the reader never
  // accepts: an accepted value always has a canonical form.
  try {
    (void)protocol::canonical_json(value);
  } catch (const protocol::CanonicalJsonError&) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text, protocol::JsonLimits{});
  protocol::JsonLimits small;
  small.max_depth = 4;
  small.max_string_bytes = 16;
  small.max_members = 4;
  small.max_items = 4;
  small.max_values = 16;
  check(text, small);
  return 0;
}
