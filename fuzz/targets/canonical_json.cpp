// JSON as the host hashes and signs it: canonical_json (RFC 8785 / JCS) of
// whatever a wallet or relying party sent, and RFC 3339 times read from it.
// Properties checked:
//   - canonical_json throws only protocol::CanonicalJsonError, and for a value
//     from nlohmann's parser only when it holds an integer beyond 2^53 (one
//     that JCS would write as another number; the parser already refuses
//     ill-formed UTF-8 and 1e400);
//   - the canonical text is JSON that reads back to the same value: the same
//     structure, member names and strings, every integer read back as an
//     integer is the same integer, and every other number the same double
//     (so -0 → 0, 1.0 → 1 and 1e2 → 100 lose nothing a double holds, and an
//     accepted integer beyond 2^53 was written digit for digit);
//   - it is a fixed point: canonicalising what it reads back gives the same
//     bytes (two parties that re-serialise a signed object hash the same);
//   - for values without fractions or exponents and with no member name
//     beyond U+FFFF, it is byte-identical to nlohmann's dump(), the form
//     signed before RFC 8785 (docs/protocol/canonical-json.md);
//   - parse_rfc3339 never throws, and what it accepts prints back as a time
//     that parses to the same instant.
// Every walk here is iterative: inputs nest as deep as their length allows.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <zhaoyin/protocol/canonical_json.h>

using namespace zhaoyin;
using json = nlohmann::json;

namespace {

struct Shape {
  bool big_integer = false;   // an integer beyond 2^53 in magnitude
  bool float_number = false;  // a number nlohmann holds as a double
  bool astral_name = false;   // a member name with a 4-byte UTF-8 sequence
  std::size_t depth = 0;
};

Shape shape_of(const json& root) {
  Shape s;
  std::vector<std::pair<const json*, std::size_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    const auto [v, d] = todo.back();
    todo.pop_back();
    if (d > s.depth) s.depth = d;
    constexpr std::uint64_t kTwo53 = std::uint64_t{1} << 53;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > kTwo53) s.big_integer = true;
    if (v->is_number_integer() && !v->is_number_unsigned()) {
      const auto i = v->get<std::int64_t>();
      if (i > static_cast<std::int64_t>(kTwo53) || i < -static_cast<std::int64_t>(kTwo53)) s.big_integer = true;
    }
    if (v->is_number_float()) s.float_number = true;
    if (v->is_object())
      for (auto it = v->cbegin(); it != v->cend(); ++it) {
        for (const char c : it.key())
          if (static_cast<unsigned char>(c) >= 0xF0) s.astral_name = true;
        todo.emplace_back(&it.value(), d + 1);
      }
    if (v->is_array())
      for (const auto& item : *v) todo.emplace_back(&item, d + 1);
  }
  return s;
}

// An integer as sign and magnitude, whichever of nlohmann's two kinds holds it.
std::pair<bool, std::uint64_t> integer_of(const json& v) {
  if (v.is_number_unsigned()) return {false, v.get<std::uint64_t>()};
  const auto i = v.get<std::int64_t>();
  return {i < 0, i < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i)};
}

// The same JSON value: integers on both sides compared exactly, other
// numbers as doubles.
bool same_value(const json& a, const json& b) {
  std::vector<std::pair<const json*, const json*>> todo{{&a, &b}};
  while (!todo.empty()) {
    const auto [x, y] = todo.back();
    todo.pop_back();
    if (x->is_number_integer() && y->is_number_integer()) {
      if (integer_of(*x) != integer_of(*y)) return false;
    } else if (x->is_number() || y->is_number()) {
      if (!x->is_number() || !y->is_number() || x->get<double>() != y->get<double>()) return false;
    } else if (x->type() != y->type()) {
      return false;
    } else if (x->is_object()) {
      if (x->size() != y->size()) return false;
      for (auto it = x->cbegin(); it != x->cend(); ++it) {
        const auto other = y->find(it.key());
        if (other == y->cend()) return false;
        todo.emplace_back(&it.value(), &*other);
      }
    } else if (x->is_array()) {
      if (x->size() != y->size()) return false;
      for (std::size_t i = 0; i < x->size(); ++i) todo.emplace_back(&(*x)[i], &(*y)[i]);
    } else if (*x != *y) {  // strings, booleans, null
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Round trip from 1970 on: strftime prints years before 1000 with fewer
  // than four digits, which parse_rfc3339 rightly refuses.
  if (const auto t = protocol::parse_rfc3339(text); t && t->time_since_epoch().count() >= 0) {
    const auto again = protocol::parse_rfc3339(protocol::rfc3339(*t));
    // rfc3339() prints whole seconds; leap second :60 and fractions differ by < 2 s.
    if (!again || (*again - *t > std::chrono::seconds(1)) || (*t - *again > std::chrono::seconds(1))) std::abort();
  }

  const json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return 0;
  const Shape shape = shape_of(value);
  std::string canonical;
  try {
    canonical = protocol::canonical_json(value);
  } catch (const protocol::CanonicalJsonError&) {
    if (!shape.big_integer) std::abort();  // refused something RFC 8785 writes exactly
    return 0;
  }
  const json reparsed = json::parse(canonical, nullptr, false);
  if (reparsed.is_discarded()) std::abort();  // our own output must be JSON
  if (!same_value(value, reparsed)) std::abort();
  if (protocol::canonical_json(reparsed) != canonical) std::abort();
  // dump() recurses once per level; keep it to depths it handles.
  if (!shape.float_number && !shape.astral_name && shape.depth <= 256 && canonical != value.dump(-1, ' ', false))
    std::abort();
  return 0;
}
