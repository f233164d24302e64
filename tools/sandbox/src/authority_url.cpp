#include <zhaoyin/sandbox/authority_url.h>

#include <zhaoyin/sandbox/error.h>

namespace zhaoyin::sandbox {

std::string normalise_authority_url(const std::string& base) {
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  const bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  const std::size_t authority_start = url.find("://") + 3;
  if (!scheme || url.size() <= authority_start || url.size() > 200)
    throw SandboxError("the authority URL must be http://HOST[:PORT][/PATH], not \"" + base + "\"");
  for (const unsigned char c : url) {
    // A URI in an IA5String (RFC 5280 §4.2.1.13 uses GeneralName
    // uniformResourceIdentifier); '?' and '#' would end the path the CRL name is appended to.
    if (c < 0x21 || c > 0x7E || c == '?' || c == '#' || c == '"' || c == '\\')
      throw SandboxError("the authority URL holds a character it cannot: \"" + base + "\"");
  }
  return url;
}

std::string crl_path(const std::string& ca_name) { return "/crl/" + ca_name + ".crl"; }

std::string crl_url(const std::string& base, const std::string& ca_name) { return base + crl_path(ca_name); }

}  // namespace zhaoyin::sandbox
