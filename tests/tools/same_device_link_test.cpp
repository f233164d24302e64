// The wallet's two same-device decisions (tools/wallet same_device_link.h,
// docs/protocol/login.md §Same-device flow), from the protocol's text: the
// link carries exactly one percent-encoded url parameter; the wallet follows
// a host's return link only when it lies under the return_url the host signed.
#include <catch2/catch.hpp>
#include <zhaoyin/wallet/same_device_link.h>

using namespace zhaoyin::wallet;

TEST_CASE("a same-device link gives the percent-decoded request URL", "[wallet][same_device]") {
  CHECK(request_url_of("zhaoyin-wallet://request?url=http%3A%2F%2F127.0.0.1%3A8080%2Fwallet%2Fv1%2Frequests%2FT1") ==
        "http://127.0.0.1:8080/wallet/v1/requests/T1");
  CHECK(request_url_of("zhaoyin-wallet://request?url=https%3a%2f%2fhost.example%2fw") == "https://host.example/w");
  // Not a link: the scanned text as it is.
  CHECK(request_url_of("https://host.example/wallet/v1/requests/T%41") == "https://host.example/wallet/v1/requests/T%41");
  CHECK(request_url_of("zhaoyin-wallet://other?url=x") == "zhaoyin-wallet://other?url=x");
}

TEST_CASE("a same-device link with a second parameter, a fragment or a bad escape is refused", "[wallet][same_device]") {
  for (const std::string link : {"zhaoyin-wallet://request?url=https%3A%2F%2Fa.example%2Fw&url=https%3A%2F%2Fevil.example",
                                 "zhaoyin-wallet://request?url=https%3A%2F%2Fa.example%2Fw#frag",
                                 "zhaoyin-wallet://request?url=https%3A%2F%2Fa.example%2Fw%", "zhaoyin-wallet://request?url=%4",
                                 "zhaoyin-wallet://request?url=%G1", "zhaoyin-wallet://request?url=%%41"}) {
    INFO(link);
    try {
      request_url_of(link);
      FAIL("accepted");
    } catch (const WalletLinkError& e) {
      CHECK(std::string(e.what()).rfind("not_a_wallet_request: ", 0) == 0);
    }
  }
}

TEST_CASE("the wallet follows a return link only under the signed return_url", "[wallet][same_device]") {
  const std::string signed_url = "https://rp.example/app/return";
  CHECK(return_link_allowed(signed_url, signed_url + "?login_session=L&result=confirmed&return_token=T"));
  CHECK(return_link_allowed("https://rp.example/app/return?tenant=1", "https://rp.example/app/return?tenant=1&return_token=T"));
  // forged_return: another host, a longer path, the bare URL, a lookalike prefix, nothing signed.
  CHECK_FALSE(return_link_allowed(signed_url, "https://evil.example/app/return?return_token=T"));
  CHECK_FALSE(return_link_allowed(signed_url, "https://rp.example/app/return/../../evil?x=1"));
  CHECK_FALSE(return_link_allowed(signed_url, "https://rp.example/app/returns?x=1"));
  CHECK_FALSE(return_link_allowed(signed_url, "https://rp.example.evil.example/app/return?x=1"));
  CHECK_FALSE(return_link_allowed(signed_url, signed_url));
  CHECK_FALSE(return_link_allowed(signed_url, signed_url + "?"));
  CHECK_FALSE(return_link_allowed(signed_url, signed_url + "#?x=1"));
  CHECK_FALSE(return_link_allowed("", "?x=1"));
}
