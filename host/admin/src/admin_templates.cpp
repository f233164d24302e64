#include "admin_templates.h"

#include "embedded_templates.h"

namespace zhaoyin::admin {

namespace {
render::Templates load() {
  render::Templates t;
  for (const auto& e : embedded_templates()) t.add(e.name, e.text);
  t.check_partials();
  return t;
}
}  // namespace

const render::Templates& admin_templates() {
  static const render::Templates templates = load();  // thread-safe initialisation
  return templates;
}

}  // namespace zhaoyin::admin
