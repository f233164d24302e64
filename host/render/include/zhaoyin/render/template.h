#pragma once
// A small logic-less template engine for the server-rendered pages, so that
// pages are markup with holes rather than string concatenation, and every
// value is escaped unless a template says otherwise on purpose.
//
//   {{name}}  {{a.b.c}}      the value, HTML-escaped (& < > " ')
//   {{#list}}...{{/list}}    repeat for each element of an array (the element is the
//                            context; {{.}} is the element itself); once for a true
//                            value or a non-empty object/string; skipped for false,
//                            null, empty arrays, empty strings and missing keys
//   {{^name}}...{{/name}}    the inverse: only when the section above would be skipped
//   {{> partial}}            another template of the same Templates set, same context
//   {{! comment }}
// Lookups walk outward through the enclosing section contexts, then the root.
// There is no unescaped output tag: trusted markup (e.g. an SVG chart built
// from numbers) goes in as a Templates::Trusted value made by the caller.
//
// Parse errors (unclosed section, unknown partial, mismatched close) throw
// TemplateError with the template name and line when the template is added,
// i.e. at host start, never while serving a request.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace zhaoyin::render {

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Templates {
 public:
  Templates();
  ~Templates();
  Templates(Templates&&) noexcept;
  Templates& operator=(Templates&&) noexcept;

  // Parses and keeps `text` under `name` (partials are resolved when rendering
  // but checked by check_partials()).
  void add(const std::string& name, const std::string& text);
  // Throws TemplateError naming the first {{> x}} that has no template.
  void check_partials() const;

  // Renders `name` with `data` as the root context. Throws TemplateError for
  // an unknown template name (a programming error).
  std::string render(const std::string& name, const nlohmann::json& data) const;

  // A value that is emitted without escaping: {"$trusted": "<svg ...>"}. Only
  // for markup the host itself built from escaped or numeric values.
  static nlohmann::json trusted(std::string html);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhaoyin::render
