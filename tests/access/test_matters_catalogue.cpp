// The 授权事项目录 (access::MattersCatalogue) on a real SQLite store: the
// starter load (idempotent, operator edits kept), contributions, add,
// rename, retire, the import formats and their refusals (all or nothing),
// export read back, and the form refusing retired and unknown matters.
#include <access_fixture.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <zhaoyin/access/matters_catalogue.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::AccessError;
using access::CatalogueEntry;
using access::MattersCatalogue;

namespace {

CatalogueEntry entry(const std::string& domain, const std::string& industry, const std::string& matter,
                     const std::string& code = "") {
  CatalogueEntry e;
  e.domain = domain;
  e.industry = industry;
  e.matter = matter;
  e.code = code;
  return e;
}

bool has_path(const std::vector<std::string>& paths, const std::string& p) {
  return std::find(paths.begin(), paths.end(), p) != paths.end();
}

}  // namespace

TEST_CASE("catalogue: the starter covers the seeds' scenarios and loads once", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  const auto starter = MattersCatalogue::starter_entries();
  CHECK(starter.size() >= 40);
  CHECK(catalogue.load_starter() == static_cast<int>(starter.size()));
  CHECK(catalogue.load_starter() == 0);  // idempotent
  const auto known = catalogue.known();
  for (const char* p : {"电子政务/税务/发票申领", "电子政务/社保/参保登记", "电子政务/医保/单位参保登记",
                        "电子政务/公积金/单位缴存登记", "电子政务/不动产/转移登记", "电子政务/市场监管/动产抵押",
                        "电子商务/银行/对公开户", "电子商务/银行/预留印鉴变更", "电子商务/银行/贷款",
                        "电子商务/水电气暖/用电报装", "电子商务/网络交易平台/商家入驻", "电子政务/政府采购/供应商注册",
                        "电子政务/招投标/投标文件递交"})
    CHECK(has_path(known.active, p));
  // 电子政务 first.
  CHECK(catalogue.list().front().domain == "电子政务");
  CHECK(catalogue.list().back().domain == "电子商务");
}

TEST_CASE("catalogue: reloading the starter keeps the operator's rename and retirement", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  catalogue.load_starter();
  catalogue.rename("ZW-SCJG-01", "动产抵押登记（省级）");
  catalogue.set_status("ZW-SW-02", "retired");
  CHECK(catalogue.load_starter() == 0);
  CHECK(catalogue.find("ZW-SCJG-01")->label == "动产抵押登记（省级）");
  CHECK(catalogue.find("ZW-SCJG-01")->path() == "电子政务/市场监管/动产抵押");  // rename keeps code and path
  CHECK(catalogue.find("ZW-SW-02")->status == "retired");
  CHECK(has_path(catalogue.known().retired, "电子政务/税务/纳税申报"));
  CHECK_FALSE(has_path(catalogue.known().active, "电子政务/税务/纳税申报"));
}

TEST_CASE("catalogue: extensions contribute the paths that are missing, under their source", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  catalogue.load_starter();
  const auto declared = nlohmann::json::parse(R"([
    {"path": "电子政务/税务/发票申领", "name": "发票申领（插件）", "source": "plugin:tax"},
    {"path": "电子政务/海关/报关单位备案", "name": "报关单位备案", "source": "plugin:customs"},
    {"path": "电子政务/海关", "name": "海关", "source": "plugin:customs"},
    {"path": "电子政务/税务/../x/y", "source": "script:odd.lua"},
    {"path": "电子商务/物流/=cmd", "source": "script:odd.lua"}
  ])");
  CHECK(catalogue.contribute(declared) == 1);
  CHECK(catalogue.contribute(declared) == 0);
  const auto code = access::generated_matter_code("电子政务/海关/报关单位备案");
  CHECK(code.size() == 11);
  const auto added = catalogue.find(code);
  REQUIRE(added);
  CHECK(added->source == "plugin:customs");
  CHECK(added->label == "");  // the name equals the matter
  // The starter's entry for the same path is not taken over by the plugin.
  CHECK(catalogue.find("ZW-SW-01")->source == "starter");
  // A retired contribution is not revived by the plugin declaring it again.
  catalogue.set_status(code, "retired");
  catalogue.contribute(declared);
  CHECK(catalogue.find(code)->status == "retired");
}

TEST_CASE("catalogue: add, rename and retire, with their refusals changing nothing", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  catalogue.load_starter();
  const auto before = catalogue.list().size();

  const auto added = catalogue.add(entry("电子政务", "市场监管", "动产抵押注销", "ZW-SCJG-X1"));
  CHECK(added.source == "operator");
  CHECK(added.status == "active");
  CHECK(catalogue.list().size() == before + 1);

  const auto exists = refusal([&] { catalogue.add(entry("电子政务", "市场监管", "动产抵押")); });
  CHECK(exists.status() == 409);
  CHECK(exists.code() == "matter_exists");
  CHECK(std::string(exists.what()).find("ZW-SCJG-01") != std::string::npos);
  CHECK(refusal([&] { catalogue.add(entry("电子政务", "市场监管", "新事项", "ZW-SCJG-01")); }).code() == "matter_exists");

  for (const auto& bad : {entry("电子政府", "市场监管", "事项"), entry("电子政务", "", "事项"),
                          entry("电子政务", "市场/监管", "事项"), entry("电子政务", "市场监管", " 事项"),
                          entry("电子政务", "市场监管", "事项\n"), entry("电子政务", "市场监管", "=HYPERLINK(1)"),
                          entry("电子政务", "市场监管", std::string(51 * 3, 'a')),
                          entry("电子政务", "市场监管", "事项", "-bad"), entry("电子政务", "市场监管", "\xff\xfe")}) {
    const auto e = refusal([&] { catalogue.add(bad); });
    CHECK(e.status() == 422);
    CHECK(e.code() == "invalid_matter");
  }
  CHECK(catalogue.list().size() == before + 1);

  CHECK(catalogue.rename("ZW-SCJG-X1", "动产抵押登记注销").shown() == "动产抵押登记注销");
  CHECK(catalogue.rename("ZW-SCJG-X1", "动产抵押注销").label == "");  // back to the matter's own name
  CHECK(refusal([&] { catalogue.rename("nope", "x"); }).status() == 404);
  CHECK(refusal([&] { catalogue.rename("ZW-SCJG-X1", "+1"); }).code() == "invalid_matter");
  CHECK(refusal([&] { catalogue.set_status("ZW-SCJG-X1", "deleted"); }).code() == "invalid_matter");
  CHECK(catalogue.set_status("ZW-SCJG-X1", "retired").status == "retired");
  CHECK(catalogue.set_status("ZW-SCJG-X1", "active").status == "active");
}

TEST_CASE("catalogue: a submitted application may not choose a retired or unknown matter", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  catalogue.load_starter();
  access::AccessService service(store.db, two_stage_review());
  auto form = valid_form();
  form.field = "e_government";
  form.industry = "市场监管";
  form.matters = {"电子政务/市场监管/动产抵押"};
  auto draft = service.create_draft(kApplicant, form);
  catalogue.set_status("ZW-SCJG-01", "retired");
  auto known = catalogue.known();
  auto refused = refusal([&] { service.submit(kApplicant, draft.id, known.active, known.retired); });
  CHECK(refused.status() == 422);
  CHECK(refused.code() == "invalid_form");
  REQUIRE(refused.fields().size() == 1);
  CHECK(refused.fields()[0].field == "matters");
  CHECK(refused.fields()[0].message.find("已停用") != std::string::npos);
  CHECK(service.find(draft.id)->status == access::Status::Draft);  // nothing changed

  form.matters = {"电子政务/市场监管/不存在的事项"};
  draft = service.save_draft(kApplicant, draft.id, form);
  refused = refusal([&] { service.submit(kApplicant, draft.id, known.active, known.retired); });
  CHECK(refused.fields()[0].message.find("不在授权事项目录中") != std::string::npos);

  // Reactivated, it may be chosen again; a 行业 prefix of active entries too.
  catalogue.set_status("ZW-SCJG-01", "active");
  known = catalogue.known();
  form.matters = {"电子政务/市场监管/动产抵押", "电子政务/税务"};
  service.save_draft(kApplicant, draft.id, form);
  CHECK(service.submit(kApplicant, draft.id, known.active, known.retired).status == access::Status::Submitted);
}

TEST_CASE("catalogue: CSV import with quoting and a BOM, then export read back", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  catalogue.load_starter();
  const std::string csv =
      "\xEF\xBB\xBF"
      "code,domain,industry,matter,label,status\r\n"
      "HB-SCJG-001,电子政务,市场监管,动产抵押变更,\"动产抵押变更登记, 湖北\",active\r\n"
      "\r\n"
      ",电子商务,物流,\"快递\"\"驿站\"\"入驻\",,retired\n"
      "ZW-SCJG-01,电子政务,市场监管,动产抵押,动产抵押登记（湖北）,active\n";
  const auto entries = access::parse_catalogue_csv(csv);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].label == "动产抵押变更登记, 湖北");
  CHECK(entries[1].matter == "快递\"驿站\"入驻");
  CHECK(entries[1].line == 4);
  const auto [added, updated] = catalogue.import(entries);
  CHECK(added == 2);
  CHECK(updated == 1);
  CHECK(catalogue.find("HB-SCJG-001")->source == "import");
  CHECK(catalogue.find("ZW-SCJG-01")->label == "动产抵押登记（湖北）");
  CHECK(catalogue.find(access::generated_matter_code("电子商务/物流/快递\"驿站\"入驻"))->status == "retired");

  // Export, read back: the same entries.
  const auto all = catalogue.list();
  const auto from_csv = access::parse_catalogue_csv(access::catalogue_to_csv(all));
  const auto from_json = access::parse_catalogue_json(access::catalogue_to_json(all).dump());
  REQUIRE(from_csv.size() == all.size());
  REQUIRE(from_json.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(from_csv[i].code == all[i].code);
    CHECK(from_csv[i].path() == all[i].path());
    CHECK(from_csv[i].label == all[i].label);
    CHECK(from_json[i].status == all[i].status);
  }
  // Importing the export changes nothing but timestamps.
  CHECK(catalogue.import(from_json).first == 0);
}

TEST_CASE("catalogue: an import with any bad line is refused with every line and changes nothing", "[catalogue]") {
  AccessStore store;
  MattersCatalogue catalogue(store.db);
  catalogue.load_starter();
  const auto before = access::catalogue_to_json(catalogue.list());

  auto lines_of = [](const AccessError& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields()) out.push_back(f.field);
    return out;
  };
  // Parse errors: every bad line at once.
  auto e = refusal([] {
    access::parse_catalogue_csv(
        "code,domain,industry,matter\n"
        "A1,电子政务,市场监管,好的事项\n"
        "A2,电子政府,市场监管,坏领域\n"
        "A3,电子政务,,空行业\n"
        "A4,电子政务,市场监管\n");
  });
  CHECK(e.status() == 422);
  CHECK(e.code() == "invalid_catalogue_import");
  CHECK(lines_of(e) == std::vector<std::string>{"line 3", "line 4", "line 5"});
  CHECK(refusal([] { access::parse_catalogue_csv("domain,industry\n"); }).fields()[0].message.find("matter") !=
        std::string::npos);
  CHECK(refusal([] { access::parse_catalogue_csv("code,domain,industry,matter\n\"A1,电子政务,x,y\n"); }).code() ==
        "invalid_catalogue_import");
  CHECK(refusal([] { access::parse_catalogue_csv(""); }).code() == "invalid_catalogue_import");
  CHECK(refusal([] { access::parse_catalogue_json("{\"matters\": [{\"domain\": 1}]}"); }).fields()[0].field == "line 1");
  CHECK(refusal([] { access::parse_catalogue_json("[1, {\"domain\":\"电子政务\",\"industry\":\"a\",\"matter\":\"b\"}]"); })
            .fields()[0]
            .field == "line 1");
  CHECK(refusal([] { access::parse_catalogue_json("{\"x\": 1}"); }).fields()[0].field == "line 0");
  CHECK(refusal([] { access::parse_catalogue_json("not json"); }).fields()[0].field == "line 0");

  // Store-level conflicts: a code moved to another path, a path under another
  // code, repeats; the good first line is not imported either.
  const auto entries = access::parse_catalogue_json(R"({"matters": [
    {"code": "NEW-1", "domain": "电子政务", "industry": "市场监管", "matter": "全新事项"},
    {"code": "ZW-SCJG-01", "domain": "电子政务", "industry": "市场监管", "matter": "改了路径"},
    {"code": "OTHER", "domain": "电子政务", "industry": "市场监管", "matter": "动产抵押"},
    {"code": "NEW-2", "domain": "电子商务", "industry": "物流", "matter": "同一事项"},
    {"code": "NEW-2", "domain": "电子商务", "industry": "物流", "matter": "另一事项"},
    {"code": "NEW-3", "domain": "电子商务", "industry": "物流", "matter": "同一事项"}
  ]})");
  e = refusal([&] { catalogue.import(entries); });
  CHECK(e.code() == "invalid_catalogue_import");
  CHECK(lines_of(e) == std::vector<std::string>{"line 2", "line 3", "line 5", "line 6"});
  CHECK_FALSE(catalogue.find("NEW-1"));
  CHECK(access::catalogue_to_json(catalogue.list()) == before);
}
