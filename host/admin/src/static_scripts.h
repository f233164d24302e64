#pragma once
// The scripts the admin pages load with <script src> (see static_scripts.cpp).
#include <zhaoyin/http/router.h>

namespace zhaoyin::admin {

void register_static_scripts(http::Router& pages);

}  // namespace zhaoyin::admin
