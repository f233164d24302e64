// application/x-www-form-urlencoded bodies (POST /oauth/token, /oidc/token,
// the admin pages' forms) and query strings (every GET with parameters).
// parse_form and form_decode throw only std::invalid_argument (a bad %XX,
// answered 400); form_encode of any decoded value decodes back to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <zhaoyin/http/form.h>

using namespace zhaoyin::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& [name, value] : parse_form(text)) {
      if (form_decode(form_encode(name)) != name || form_decode(form_encode(value)) != value) std::abort();
    }
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)form_decode(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
