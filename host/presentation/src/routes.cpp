#include <zhaoyin/presentation/routes.h>

namespace zhaoyin::presentation {

void register_presentation_routes(http::Router& /*router*/, const std::shared_ptr<http::HostContext>& /*ctx*/) {}

}  // namespace zhaoyin::presentation
