// The wallet's same-device link and return-link decisions
// (tools/wallet same_device_link.h, docs/protocol/login.md §Same-device flow):
// the link comes from whichever app opened the wallet, the return link from
// the host's reply. Input: link text, then optionally NUL, signed return_url,
// NUL, return link. Properties, from the protocol's text:
//   - request_url_of throws nothing but WalletLinkError;
//   - text that is not a link comes back unchanged;
//   - a decoded link has no more bytes than the encoded parameter, and
//     percent-encoding it again and wrapping it in a link decodes to it again;
//   - an allowed return link starts with the signed URL, followed by '?' or
//     '&' and something more — never the signed URL alone or another prefix.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <zhaoyin/wallet/same_device_link.h>

using namespace zhaoyin::wallet;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

std::string percent_encode_all(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto first_nul = input.find('\0');
  const std::string text = input.substr(0, first_nul);

  const bool is_link = text.rfind(kWalletLinkPrefix, 0) == 0;
  try {
    const std::string url = request_url_of(text);
    if (!is_link) {
      require(url == text);
    } else {
      require(url.size() <= text.size() - kWalletLinkPrefix.size());
      require(request_url_of(std::string(kWalletLinkPrefix) + percent_encode_all(url)) == url);
    }
  } catch (const WalletLinkError&) {
    require(is_link);
  }

  if (first_nul != std::string::npos) {
    const std::string rest = input.substr(first_nul + 1);
    const auto second_nul = rest.find('\0');
    const std::string signed_url = rest.substr(0, second_nul);
    const std::string link = second_nul == std::string::npos ? text : rest.substr(second_nul + 1);
    if (return_link_allowed(signed_url, link)) {
      require(!signed_url.empty());
      require(link.size() >= signed_url.size() + 2);
      require(link.compare(0, signed_url.size(), signed_url) == 0);
      require(link[signed_url.size()] == '?' || link[signed_url.size()] == '&');
    }
  }
  return 0;
}
