#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

std::string build_version() { return ZHAOYIN_VERSION; }

}  // namespace zhaoyin::http
