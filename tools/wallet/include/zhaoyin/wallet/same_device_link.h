#pragma once
// The two decisions of the same-device flow (docs/protocol/login.md §Same-device
// flow) that take bytes from outside the wallet: the link a relying party's app
// opens the wallet with, and the return link a host hands back after the
// answer. Kept apart from the command line so they can be unit-tested and
// fuzzed (fuzz/targets/wallet_link.cpp).
#include <stdexcept>
#include <string>
#include <string_view>

namespace zhaoyin::wallet {

// A refusal; what() starts with the refusal code ("not_a_wallet_request: ...").
class WalletLinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::string_view kWalletLinkPrefix = "zhaoyin-wallet://request?url=";

// The request URL inside a same-device link, percent-decoded (RFC 3986 §2.1;
// '+' as a space, as in a form-encoded query); `text` itself when it is not a
// link. WalletLinkError for a link with more than the one url parameter or a
// fragment, or with a malformed escape.
std::string request_url_of(const std::string& text);

// Whether the host's return link lies under the return_url the host signed
// in its request: that URL exactly, then '?' or '&' and at least one more
// character. The wallet sends the holder nowhere else.
bool return_link_allowed(const std::string& signed_return_url, const std::string& link);

}  // namespace zhaoyin::wallet
