#pragma once
// Routes a request to its handler by method and path (docs/AUTHORITY.md §API).
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <memory>
#include "service_context.h"

namespace zhaoyin::authority_service {

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(std::shared_ptr<ServiceContext> context) : context_(std::move(context)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

 private:
  std::shared_ptr<ServiceContext> context_;
};

}  // namespace zhaoyin::authority_service
