#pragma once
// The one way JSON from outside becomes a value: request bodies, wallet
// answers, grants inside codes, scripts' json.decode, files an operator
// uploads. Everything is bounded before it is built, so no input can make the
// host recurse deeply (a crash), allocate without limit or hold a number that
// later code cannot represent (a 500):
//
//  - nesting depth (arrays and objects together);
//  - string length, members per object, items per array, values in total;
//  - numbers: non-finite values (1e400) and magnitudes beyond 2^53 are refused.
//    RFC 7493 (I-JSON) §2.2: beyond that range implementations disagree on the
//    value, and every relying party written in JavaScript would read another
//    number than the host;
//  - duplicate member names are refused (RFC 7493 §2.3; RFC 8259 §4 leaves
//    their meaning open, so two readers could see two different documents);
//  - well-formed UTF-8 only (the parser checks it), nothing after the value.
//
// A refusal is a JsonInputError with a stable machine-readable code that the
// HTTP edge returns as a 400 (see docs/SECURITY.md, "Request bodies").
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zhaoyin::protocol {

struct JsonLimits {
  std::size_t max_depth = 32;                    // arrays and objects nested in one another
  std::size_t max_string_bytes = 16 * 1024 * 1024;  // one string (documents travel as base64 strings)
  std::size_t max_members = 1000;                // members of one object
  std::size_t max_items = 100000;                // items of one array
  std::size_t max_values = 1000000;              // values in the whole document
};

// The largest magnitude accepted for a number: 2^53, where IEEE doubles stop
// representing every integer.
inline constexpr double kMaxSafeJsonNumber = 9007199254740992.0;

class JsonInputError : public std::runtime_error {
 public:
  // code: invalid_json | json_too_deep | json_too_large | json_number_out_of_range | json_duplicate_key
  JsonInputError(std::string code, const std::string& message, std::size_t byte)
      : std::runtime_error(message), code_(std::move(code)), byte_(byte) {}
  const std::string& code() const { return code_; }
  std::size_t byte() const { return byte_; }  // offset in the input where reading stopped

 private:
  std::string code_;
  std::size_t byte_;
};

// Parses one JSON document within the limits; throws JsonInputError.
nlohmann::json read_json(std::string_view text, const JsonLimits& limits = {});

}  // namespace zhaoyin::protocol
