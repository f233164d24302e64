#pragma once
// The edge of the host: Poco asks this factory for a handler per request; the
// handler it returns gives the request an id (X-Request-Id), enforces the
// body limit, routes it (404 not_found, 405 method_not_allowed), runs the
// route's Handler, turns every exception into the SPEC's JSON error body,
// records metrics and logs one line per request.
//
// Exception mapping:
//   ApiError                      its status, code and headers
//   trust::TrustError             400 with the trust code (crypto_failure: 500)
//   store::StoreError             503 store_unavailable (logged)
//   Poco::Net::MessageException   400 bad_request (a malformed HTTP message)
//   anything else                 500 internal_error, logged with the request id;
//                                 the client sees no details
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>
#include <zhaoyin/http/trace_context.h>

namespace zhaoyin::http {

class RoutingFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  RoutingFactory(std::shared_ptr<const Router> router, std::shared_ptr<HostContext> ctx);
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

 private:
  std::shared_ptr<const Router> router_;
  std::shared_ptr<HostContext> ctx_;
  Counter* requests_;
  Histogram* durations_;
  Counter* refusals_;
};

// An incoming X-Request-Id is kept when it is 1-64 characters of [A-Za-z0-9._-];
// otherwise a fresh random id is made.
std::string make_request_id(const Poco::Net::HTTPServerRequest& request);
// This host's span of the request: a child of the caller's valid W3C
// `traceparent`, or the start of a new trace.
TraceParent request_trace(const Poco::Net::HTTPServerRequest& request);

}  // namespace zhaoyin::http
