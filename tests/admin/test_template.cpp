// The admin pages' template engine (render/template.h): escaping, sections,
// inverse sections, dotted names, outward lookup, partials, trusted values and
// parse errors that name the template and line.
#include <catch2/catch.hpp>
#include <zhaoyin/render/template.h>

using zhaoyin::render::TemplateError;
using zhaoyin::render::Templates;
using json = nlohmann::json;

namespace {
std::string render_one(const std::string& text, const json& data) {
  Templates t;
  t.add("t", text);
  t.check_partials();
  return t.render("t", data);
}
}  // namespace

TEST_CASE("values are HTML-escaped: & < > \" '", "[template]") {
  CHECK(render_one("<p>{{v}}</p>", {{"v", "a & b <script>\"x\" 'y'</script>"}}) ==
        "<p>a &amp; b &lt;script&gt;&quot;x&quot; &#39;y&#39;&lt;/script&gt;</p>");
  CHECK(render_one("<a title=\"{{v}}\">", {{"v", "\" onmouseover=\"x"}}) ==
        "<a title=\"&quot; onmouseover=&quot;x\">");
}

TEST_CASE("numbers, booleans, null and missing keys", "[template]") {
  CHECK(render_one("{{n}}|{{f}}|{{b}}|{{z}}|{{missing}}|", {{"n", 42}, {"f", 1.5}, {"b", true}, {"z", nullptr}}) ==
        "42|1.5|true|||");
}

TEST_CASE("sections repeat over arrays with {{.}} as the element", "[template]") {
  CHECK(render_one("{{#xs}}[{{.}}]{{/xs}}", {{"xs", {"a", "<b>", "c"}}}) == "[a][&lt;b&gt;][c]");
  CHECK(render_one("{{#rows}}{{name}}={{v}};{{/rows}}", {{"rows", {{{"name", "x"}, {"v", 1}}, {{"name", "y"}, {"v", 2}}}}}) ==
        "x=1;y=2;");
}

TEST_CASE("sections over objects, booleans and strings — skipped when falsy", "[template]") {
  const json data = {{"obj", {{"a", "A"}}}, {"yes", true}, {"no", false}, {"empty", json::array()},
                     {"emptyobj", json::object()}, {"s", "str"}, {"es", ""}, {"nil", nullptr}, {"zero", 0}};
  CHECK(render_one("{{#obj}}{{a}}{{/obj}}", data) == "A");
  CHECK(render_one("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", data) == "Y");
  CHECK(render_one("{{#empty}}E{{/empty}}{{#emptyobj}}O{{/emptyobj}}{{#missing}}M{{/missing}}", data) == "");
  CHECK(render_one("{{#s}}<{{.}}>{{/s}}{{#es}}X{{/es}}{{#nil}}X{{/nil}}{{#zero}}X{{/zero}}", data) == "<str>");
}

TEST_CASE("inverse sections render only when the section would be skipped", "[template]") {
  const json data = {{"xs", json::array()}, {"ys", {1}}, {"no", false}, {"yes", true}};
  CHECK(render_one("{{^xs}}none{{/xs}}{{^ys}}never{{/ys}}", data) == "none");
  CHECK(render_one("{{^no}}n{{/no}}{{^yes}}y{{/yes}}{{^missing}}m{{/missing}}", data) == "nm");
}

TEST_CASE("dotted names follow objects — outward lookup reaches enclosing contexts", "[template]") {
  const json data = {{"staff", {{"name", "王 <b>"}, {"role", {{"label", "运维管理员"}}}}},
                     {"csrf", "tok"},
                     {"items", {{{"id", "1"}}, {{"id", "2"}}}}};
  CHECK(render_one("{{staff.name}}/{{staff.role.label}}/{{staff.nope.x}}", data) == "王 &lt;b&gt;/运维管理员/");
  CHECK(render_one("{{#items}}<input name=csrf value={{csrf}}>{{id}}{{/items}}", data) ==
        "<input name=csrf value=tok>1<input name=csrf value=tok>2");
  // The innermost context wins over an outer one with the same key.
  CHECK(render_one("{{#inner}}{{v}}{{/inner}}{{v}}", {{"v", "outer"}, {"inner", {{"v", "inner"}}}}) == "innerouter");
}

TEST_CASE("partials render with the same context", "[template]") {
  Templates t;
  t.add("row", "<td>{{name}}</td>");
  t.add("table", "<table>{{#rows}}<tr>{{> row}}</tr>{{/rows}}</table>");
  t.check_partials();
  CHECK(t.render("table", {{"rows", {{{"name", "a&b"}}}}}) == "<table><tr><td>a&amp;b</td></tr></table>");
}

TEST_CASE("unknown partials are found by check_partials — cycles are refused", "[template]") {
  Templates t;
  t.add("page", "x{{> missing_partial}}");
  CHECK_THROWS_WITH(t.check_partials(), Catch::Contains("missing_partial") && Catch::Contains("page"));
  Templates c;
  c.add("a", "{{> b}}");
  c.add("b", "{{> a}}");
  c.check_partials();
  CHECK_THROWS_AS(c.render("a", json::object()), TemplateError);
}

TEST_CASE("trusted values are emitted as they are — look-alike objects are not", "[template]") {
  CHECK(render_one("{{chart}}", {{"chart", Templates::trusted("<svg><rect width=\"3\"/></svg>")}}) ==
        "<svg><rect width=\"3\"/></svg>");
  // An object from user data with more keys than $trusted is not trusted.
  CHECK(render_one("{{v}}", {{"v", {{"$trusted", "<b>"}, {"x", 1}}}}) ==
        "{&quot;$trusted&quot;:&quot;&lt;b&gt;&quot;,&quot;x&quot;:1}");
}

TEST_CASE("comments produce nothing", "[template]") {
  CHECK(render_one("a{{! a comment with {braces} }}b", json::object()) == "ab");
}

TEST_CASE("parse errors name the template and the line", "[template]") {
  Templates t;
  CHECK_THROWS_WITH(t.add("p/unclosed", "line1\nline2 {{#items}}\nx\n"),
                    Catch::Contains("'p/unclosed'") && Catch::Contains("line 2") && Catch::Contains("never closed"));
  CHECK_THROWS_WITH(t.add("mismatch", "{{#a}}\n\n{{/b}}"),
                    Catch::Contains("line 3") && Catch::Contains("does not close") && Catch::Contains("line 1"));
  CHECK_THROWS_WITH(t.add("stray", "\n{{/a}}"), Catch::Contains("line 2") && Catch::Contains("never opened"));
  CHECK_THROWS_WITH(t.add("open-tag", "a\nb\nc {{name"), Catch::Contains("line 3") && Catch::Contains("never closed"));
  CHECK_THROWS_WITH(t.add("raw", "{{{html}}}"), Catch::Contains("trusted"));
  CHECK_THROWS_WITH(t.add("amp", "{{& html}}"), Catch::Contains("trusted"));
  CHECK_THROWS_AS(t.add("empty", "{{}}"), TemplateError);
  CHECK_THROWS_AS(t.add("bad-name", "{{a b}}"), TemplateError);
}

TEST_CASE("rendering an unknown template is an error", "[template]") {
  Templates t;
  CHECK_THROWS_AS(t.render("nope", json::object()), TemplateError);
}
