#pragma once
// application/x-www-form-urlencoded (HTML 4.01 §17.13.4, as RFC 6749 uses it).
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zhaoyin::http {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// A form or query string the host refuses to read. code(): invalid_request
// (a bad %-escape) or too_many_fields (more than the limit below).
class FormError : public std::invalid_argument {
 public:
  FormError(std::string code, const std::string& message) : std::invalid_argument(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// No form the host reads has more than a few dozen fields (the access
// application's, the largest, about 60 plus its matters); the bound keeps a
// 1 MiB body of empty fields from becoming a quarter of a million strings.
inline constexpr std::size_t kMaxFormFields = 1000;

// Decodes '+' as a space and %XX escapes; throws FormError on a bad escape.
std::string form_decode(std::string_view s);
// Splits a body or query string into decoded name/value pairs, in order
// (empty pieces are skipped), in one pass over the input; throws FormError on a
// bad escape or when there are more than max_fields fields.
FormFields parse_form(std::string_view body, std::size_t max_fields = kMaxFormFields);
// The first name that occurs twice, if any (linear: a hash set of names).
std::optional<std::string> first_repeated_name(const FormFields& fields);
// Percent-encodes for a form body (unreserved characters kept, space as %20).
std::string form_encode(std::string_view s);

}  // namespace zhaoyin::http
