// GET /admin/static/{name}.js: the admin pages' scripts, served from this
// host as files so that the admin Content-Security-Policy can say
// script-src 'self' with no 'unsafe-inline' (an injected <script> or onclick=
// in a page would not run). Compiled in: no files needed at run time.
#include "static_scripts.h"

#include <map>
#include <string_view>
#include <zhaoyin/http/api_error.h>

namespace zhaoyin::admin {

namespace {

// applications/form.html: the matters tree and the province field.
constexpr std::string_view kApplicationForm = R"js(
(function () {
  // 授权事项: a 领域 or 行业 box ticks or clears everything under it; its
  // state follows its children (ticked, cleared or indeterminate).
  var tree = document.getElementById('matters-tree');
  function leaves(li) { return li.querySelectorAll('input[name=matters]'); }
  function refresh() {
    tree.querySelectorAll('input.tree-toggle').forEach(function (box) {
      var all = leaves(box.closest('li')), on = 0;
      all.forEach(function (l) { if (l.checked) on++; });
      box.checked = all.length > 0 && on === all.length;
      box.indeterminate = on > 0 && on < all.length;
    });
  }
  tree.addEventListener('change', function (e) {
    if (e.target.classList.contains('tree-toggle')) {
      leaves(e.target.closest('li')).forEach(function (l) { l.checked = e.target.checked; });
    }
    refresh();
  });
  refresh();
  // 省份 only matters for 本省.
  var province = document.getElementById('province-field');
  function scopeChanged() {
    var chosen = document.querySelector('input[name=scope]:checked');
    province.hidden = chosen !== null && chosen.value === 'national';
  }
  document.querySelectorAll('input[name=scope]').forEach(function (r) { r.addEventListener('change', scopeChanged); });
  scopeChanged();
})();
)js";

// matters.html: a chosen import file is read into the text area (the form
// posts text; the host reads no multipart bodies) and picks the format.
constexpr std::string_view kMattersCatalogue = R"js(
(function () {
  var file = document.getElementById('import-file');
  var data = document.getElementById('import-data');
  var format = document.getElementById('import-format');
  if (!file || !data || !format) return;
  file.addEventListener('change', function () {
    var f = file.files && file.files[0];
    if (!f) return;
    if (/\.json$/i.test(f.name)) format.value = 'json';
    else if (/\.csv$/i.test(f.name)) format.value = 'csv';
    var reader = new FileReader();
    reader.onload = function () { data.value = String(reader.result); };
    reader.readAsText(f, 'utf-8');
  });
})();
)js";

const std::map<std::string, std::string_view, std::less<>>& scripts() {
  static const std::map<std::string, std::string_view, std::less<>> all = {
      {"application-form", kApplicationForm},
      {"matters-catalogue", kMattersCatalogue},
  };
  return all;
}

class StaticScript final : public http::Handler {
 public:
  void handle(http::Exchange& ex) override {
    const auto it = scripts().find(ex.param("name"));
    if (it == scripts().end()) throw http::ApiError::not_found("no script " + ex.param("name") + ".js");
    // Revalidated often enough that a new build's script reaches open browsers soon.
    ex.response().set("Cache-Control", "public, max-age=300");
    ex.send_text(200, "text/javascript; charset=utf-8", it->second);
  }
};

}  // namespace

void register_static_scripts(http::Router& pages) { pages.add<StaticScript>("GET", "/admin/static/{name}.js"); }

}  // namespace zhaoyin::admin
