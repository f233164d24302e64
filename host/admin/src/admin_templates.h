#pragma once
// The one render::Templates set every admin page renders from: every
// host/admin/templates/**/*.html compiled into the binary, parsed and
// partial-checked once (at host start, from register_admin_routes).
#include <zhaoyin/render/template.h>

namespace zhaoyin::admin {

// Throws render::TemplateError on the first call if a template is malformed.
const render::Templates& admin_templates();

}  // namespace zhaoyin::admin
