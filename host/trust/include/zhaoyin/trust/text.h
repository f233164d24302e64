#pragma once
// Two small text codings several modules need and none should own: the
// host's form decoding (http), the wallet's same-device link (tools/wallet),
// HTML pages (http) and OFD's XML (ofd). Kept here, in the library every one
// of them already links, so each reads the same bytes the same way.
#include <optional>
#include <string>
#include <string_view>

namespace zhaoyin::trust {

// Percent-decoding (RFC 3986 §2.1): "%XY" with two hex digits of either case
// becomes that byte. With `plus_as_space` a '+' is a space, as in
// application/x-www-form-urlencoded (WHATWG URL §5.1). Linear in the input.
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

// Escapes the five characters that end or open markup — & < > " ' — as
// character references valid in both HTML and XML (XML 1.0 §4.1, §2.4), so
// the result is safe in element text and in single- or double-quoted
// attribute values.
std::string escape_markup(std::string_view text);

}  // namespace zhaoyin::trust
