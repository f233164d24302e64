#include <zhaoyin/wallet/same_device_link.h>

namespace zhaoyin::wallet {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string request_url_of(const std::string& text) {
  if (text.rfind(kWalletLinkPrefix, 0) != 0) return text;
  const std::string_view encoded = std::string_view(text).substr(kWalletLinkPrefix.size());
  if (encoded.find_first_of("&#") != std::string_view::npos)
    throw WalletLinkError("not_a_wallet_request: a wallet link carries exactly one url parameter");
  std::string out;
  out.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '%') {
      const int high = i + 1 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
      const int low = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
      if (high < 0 || low < 0) throw WalletLinkError("not_a_wallet_request: a malformed escape in the wallet link");
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c == '+' ? ' ' : c;
    }
  }
  return out;
}

bool return_link_allowed(const std::string& signed_return_url, const std::string& link) {
  if (signed_return_url.empty() || link.size() <= signed_return_url.size() + 1) return false;
  if (link.compare(0, signed_return_url.size(), signed_return_url) != 0) return false;
  const char next = link[signed_return_url.size()];
  return next == '?' || next == '&';
}

}  // namespace zhaoyin::wallet
