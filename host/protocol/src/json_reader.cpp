#include <zhaoyin/protocol/json_reader.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace zhaoyin::protocol {

namespace {

using json = nlohmann::json;

constexpr std::int64_t kMaxSafeInteger = std::int64_t{1} << 53;

// Builds the document from nlohmann's SAX events, checking every limit before
// anything is added. nlohmann's own parser never recurses (it keeps its
// nesting on a bit stack), so with the depth bounded here nothing that walks
// the result later (dump, copy, compare) can recurse deeply either.
class BoundedBuilder {
 public:
  explicit BoundedBuilder(const JsonLimits& limits) : limits_(limits) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  // Integers are compared as integers: 2^53 + 1 converted to a double is 2^53.
  bool number_integer(json::number_integer_t v) {
    if (v > kMaxSafeInteger || v < -kMaxSafeInteger) return out_of_range();
    return add(json(v));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<json::number_unsigned_t>(kMaxSafeInteger)) return out_of_range();
    return add(json(v));
  }
  bool number_float(json::number_float_t v, const json::string_t& /*text*/) {
    if (!std::isfinite(v) || !in_range(v)) return out_of_range();
    return add(json(v));
  }
  bool string(json::string_t& v) {
    if (v.size() > limits_.max_string_bytes)
      return fail("json_too_large", "a string is longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
    return add(json(std::move(v)));
  }
  bool binary(json::binary_t& /*v*/) { return fail("invalid_json", "binary values are not JSON"); }

  bool start_object(std::size_t /*unknown or count*/) { return open(json::object()); }
  bool key(json::string_t& name) {
    json& object = *stack_.back();
    if (name.size() > limits_.max_string_bytes)
      return fail("json_too_large", "a member name is longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
    if (object.size() >= limits_.max_members)
      return fail("json_too_large", "an object has more than " + std::to_string(limits_.max_members) + " members");
    if (object.contains(name)) return fail("json_duplicate_key", "the member name \"" + shorten(name) + "\" is repeated");
    member_ = &object[name];
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*unknown or count*/) { return open(json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*token*/, const nlohmann::detail::exception& e) {
    // Id 406 is nlohmann's "number overflow" (1e400): a number, not a syntax error.
    if (e.id == 406) return out_of_range();
    if (!code_.empty()) return false;  // a limit stopped the parse first
    code_ = "invalid_json";
    message_ = "not valid JSON (error at byte " + std::to_string(position) + ")";
    byte_ = position;
    return false;
  }

  json take() { return std::move(root_); }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::size_t byte() const { return byte_; }

 private:
  static bool in_range(double v) { return std::fabs(v) <= kMaxSafeJsonNumber; }
  static std::string shorten(const std::string& s) { return s.size() <= 64 ? s : s.substr(0, 64) + "..."; }

  bool out_of_range() {
    return fail("json_number_out_of_range",
                "a number is not finite or its magnitude exceeds 2^53 (RFC 7493 §2.2); send it as a string");
  }

  bool fail(std::string code, std::string message) {
    if (code_.empty()) {
      code_ = std::move(code);
      message_ = std::move(message);
    }
    return false;
  }

  // Places a value where the document expects the next one: the root, the
  // next array item or the member whose name was just read.
  json* place(json&& value) {
    if (++values_ > limits_.max_values) {
      fail("json_too_large", "the document has more than " + std::to_string(limits_.max_values) + " values");
      return nullptr;
    }
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      if (parent.size() >= limits_.max_items) {
        fail("json_too_large", "an array has more than " + std::to_string(limits_.max_items) + " items");
        return nullptr;
      }
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *member_ = std::move(value);
    return member_;
  }

  bool add(json&& value) { return place(std::move(value)) != nullptr; }

  bool open(json&& container) {
    if (stack_.size() >= limits_.max_depth)
      return fail("json_too_deep", "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    json* placed = place(std::move(container));
    if (!placed) return false;
    stack_.push_back(placed);
    return true;
  }

  const JsonLimits& limits_;
  json root_;
  std::vector<json*> stack_;  // open arrays and objects, innermost last
  json* member_ = nullptr;    // the member whose value comes next
  std::size_t values_ = 0;
  std::string code_;
  std::string message_;
  std::size_t byte_ = 0;
};

}  // namespace

nlohmann::json read_json(std::string_view text, const JsonLimits& limits) {
  BoundedBuilder builder(limits);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    // sax_parse reports through parse_error; anything thrown is still the input's fault.
    throw JsonInputError("invalid_json", std::string("not valid JSON: ") + e.what(), 0);
  }
  if (!ok) {
    if (builder.code().empty()) throw JsonInputError("invalid_json", "not valid JSON", 0);
    throw JsonInputError(builder.code(), builder.message(), builder.byte());
  }
  return builder.take();
}

}  // namespace zhaoyin::protocol
