#pragma once
// GET /openapi.yaml — the OpenAPI 3.1 document of the host's HTTP API
// (docs/openapi.yaml), embedded at build time: integrators generate clients
// from it, and the tests validate every response they receive against it.
#include <string_view>
#include <zhaoyin/http/exchange.h>

namespace zhaoyin::http {

// The document's bytes (generated from docs/openapi.yaml).
std::string_view openapi_document();

class OpenApiHandler final : public Handler {
 public:
  void handle(Exchange& ex) override;
};

}  // namespace zhaoyin::http
