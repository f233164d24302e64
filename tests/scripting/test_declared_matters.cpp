// Scripts contribute to the matters catalogue with --@matter lines: read from
// the loaded version (through flow::Extensions::matters(), as the catalogue
// reads them), followed on reload, kept from the working version while an
// edit does not compile.
#include <catch2/catch.hpp>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

TEST_CASE("a script's --@matter lines are its contributions to the matters catalogue", "[scripting][catalogue]") {
  EngineFixture f;
  f.script("market/dcdy.lua",
           "--@matter 电子政务/市场监管/动产抵押 动产抵押登记\n"
           "  --@matter\t电子政务/市场监管/动产抵押注销\r\n"
           "--@matters 电子政务/不是/这个\n"
           "--@matter\n"
           "-- @matter 电子政务/也不是/这个\n"
           "function on_presentation_verified(e) return {refuse = 'v1'} end\n");
  auto matters = f.extensions().matters();
  REQUIRE(matters.size() == 2);
  CHECK(matters[0]["path"] == "电子政务/市场监管/动产抵押");
  CHECK(matters[0]["name"] == "动产抵押登记");
  CHECK(matters[0]["source"] == "script:market/dcdy.lua");
  CHECK(matters[1]["path"] == "电子政务/市场监管/动产抵押注销");
  CHECK(matters[1]["name"] == "");

  // An edit is followed; a broken edit keeps the working version's declarations.
  f.write("market/dcdy.lua", "--@matter 电子商务/银行/贷款 企业贷款\nfunction on_presentation_verified(e) return nil end\n");
  matters = f.extensions().matters();
  REQUIRE(matters.size() == 1);
  CHECK(matters[0]["path"] == "电子商务/银行/贷款");
  f.write("market/dcdy.lua", "--@matter 电子商务/银行/别的\nfunction on_presentation_verified(e\n");
  matters = f.extensions().matters();
  REQUIRE(matters.size() == 1);
  CHECK(matters[0]["path"] == "电子商务/银行/贷款");
}
