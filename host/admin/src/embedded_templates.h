#pragma once
// The admin templates compiled into the binary (generated at configure time
// from host/admin/templates/**/*.html by cmake/embed_templates.cmake).
#include <string>
#include <vector>

namespace zhaoyin::admin {

struct EmbeddedTemplate {
  std::string name;  // path under templates/ without .html, e.g. "applications/list"
  std::string text;
};

const std::vector<EmbeddedTemplate>& embedded_templates();

}  // namespace zhaoyin::admin
