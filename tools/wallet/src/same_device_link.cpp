#include <zhaoyin/wallet/same_device_link.h>

#include <zhaoyin/trust/text.h>

namespace zhaoyin::wallet {

std::string request_url_of(const std::string& text) {
  if (text.rfind(kWalletLinkPrefix, 0) != 0) return text;
  const std::string_view encoded = std::string_view(text).substr(kWalletLinkPrefix.size());
  if (encoded.find_first_of("&#") != std::string_view::npos)
    throw WalletLinkError("not_a_wallet_request: a wallet link carries exactly one url parameter");
  auto decoded = trust::percent_decode(encoded, /*plus_as_space=*/true);
  if (!decoded) throw WalletLinkError("not_a_wallet_request: a malformed escape in the wallet link");
  return std::move(*decoded);
}

bool return_link_allowed(const std::string& signed_return_url, const std::string& link) {
  if (signed_return_url.empty() || link.size() <= signed_return_url.size() + 1) return false;
  if (link.compare(0, signed_return_url.size(), signed_return_url) != 0) return false;
  const char next = link[signed_return_url.size()];
  return next == '?' || next == '&';
}

}  // namespace zhaoyin::wallet
