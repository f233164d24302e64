#pragma once
// POST /wallet/v1/display-codes/revocations: a license holder revokes a
// display code of their enterprise (or, the legal representative, every code
// of it issued before a time). docs/PROTOCOL.md §6.3 is the normative
// description; docs/api/display-codes.md lists the refusals.
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>
#include "public_rate_window.h"

namespace zhaoyin::presentation {

// The per-address budget of the display-code endpoints: 429 rate_limited.
void admit_public_request(http::Exchange& ex, const http::HostContext& ctx, PublicRateWindow& window);

class DisplayRevocationHandler final : public http::Handler {
 public:
  DisplayRevocationHandler(std::shared_ptr<http::HostContext> ctx, std::shared_ptr<PublicRateWindow> window)
      : ctx_(std::move(ctx)), window_(std::move(window)) {}
  void handle(http::Exchange& ex) override;

 private:
  std::shared_ptr<http::HostContext> ctx_;
  std::shared_ptr<PublicRateWindow> window_;
};

}  // namespace zhaoyin::presentation
