#pragma once
// The 授权事项目录 (matters catalogue) the operator runs: 领域 (电子政务 | 电子商务)
// → 行业 → 事项, one row per matter, kept in the store (table matters_catalogue,
// migration 19). An access application may choose any active entry (or a
// whole 领域/行业 prefix of one).
//
// Identity: every entry has a stable code and a path 领域/行业/事项. The path is
// what a licence's 精准授权 and an approved application carry (SPEC "Matters"),
// so it never changes once the entry exists; "rename" changes the label shown
// to people. Entries are never deleted: retiring hides an entry from new
// applications while the applications that already name it keep working.
//
// Sources: starter (the shipped catalogue, data/starter_matters.json, loaded on
// every start but only where its code is missing, so operator edits stay),
// operator (added on the pages), import (a province's catalogue as CSV or
// JSON), plugin:<id> and script:<name> (what extensions declare, merged in
// where the path is missing). All refusals are AccessError (422
// invalid_matter / invalid_catalogue_import, 404 matter_not_found, 409
// matter_exists) and change nothing.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::access {

struct CatalogueEntry {
  std::string code;      // stable: [A-Za-z0-9][A-Za-z0-9._-]{0,63}
  std::string domain;    // 领域: 电子政务 | 电子商务
  std::string industry;  // 行业, e.g. 市场监管
  std::string matter;    // 事项, e.g. 动产抵押
  std::string label;     // the name shown (rename changes this only); "" → matter
  std::string status = "active";  // active | retired
  std::string source;    // starter | operator | import | plugin:<id> | script:<name> | builtin
  std::int64_t created_at = 0;  // epoch seconds
  std::int64_t updated_at = 0;
  std::size_t line = 0;  // the line (CSV) or item (JSON, from 1) an imported entry came from

  std::string path() const { return domain + "/" + industry + "/" + matter; }
  std::string shown() const { return label.empty() ? matter : label; }
  bool active() const { return status == "active"; }
};

// The paths an application may choose now, and the retired ones (so a refusal
// can say "retired" rather than "unknown").
struct KnownMatters {
  std::vector<std::string> active;
  std::vector<std::string> retired;
};

// The code an entry gets when none is given: "M" + the first 10 hex digits
// (upper case) of SM3(path). Deterministic, so contributing the same path
// twice (two hosts, two requests) lands on one row.
std::string generated_matter_code(const std::string& path);

// Checks one entry's fields; the first problem as a Chinese message, or "".
std::string entry_problem(const CatalogueEntry& e);

// Import formats. Both return every entry or throw AccessError 422
// invalid_catalogue_import whose fields() hold one FieldError per bad line
// ({"line 3", "…"}; "line 0" for the document as a whole).
//   CSV (RFC 4180; UTF-8, an optional BOM, CRLF or LF): a header line naming
//   the columns code,domain,industry,matter,label,status in any order (domain,
//   industry and matter required; other columns such as source are ignored),
//   then one entry per line.
//   JSON: {"matters":[{"code","domain","industry","matter","label","status"}]}
//   or the bare array.
std::vector<CatalogueEntry> parse_catalogue_csv(std::string_view text);
std::vector<CatalogueEntry> parse_catalogue_json(std::string_view text);
// The JSON format once read (a request body already through protocol::read_json).
std::vector<CatalogueEntry> catalogue_from_json(const nlohmann::json& doc);

// Export: the same formats (with the source column / member), readable back.
std::string catalogue_to_csv(const std::vector<CatalogueEntry>& entries);
nlohmann::json catalogue_to_json(const std::vector<CatalogueEntry>& entries);

class MattersCatalogue {
 public:
  explicit MattersCatalogue(std::shared_ptr<store::Database> db);

  // Inserts the shipped starter entries whose code is missing; returns how many.
  int load_starter();
  // The shipped starter catalogue (data/starter_matters.json, compiled in).
  static std::vector<CatalogueEntry> starter_entries();

  // Merges what extensions declare (flow::Extensions::matters():
  // [{"path","name","source"}]) in where the path is missing; returns how
  // many were added. Paths that are not 领域/行业/事项 are skipped.
  int contribute(const nlohmann::json& extension_matters);

  // Every entry, 电子政务 before 电子商务, then by industry and matter.
  std::vector<CatalogueEntry> list() const;
  std::optional<CatalogueEntry> find(const std::string& code) const;
  KnownMatters known() const;

  // The operator's edits (source "operator"); each returns the entry as stored.
  CatalogueEntry add(CatalogueEntry entry);
  CatalogueEntry rename(const std::string& code, const std::string& label);
  CatalogueEntry set_status(const std::string& code, const std::string& status);

  // All or nothing, in one transaction: a new code is inserted (source
  // "import"); an existing code with the same path gets the label and status
  // given; a code whose path differs, a path held by another code, or a
  // repeated code or path is a line error. Returns {added, updated}.
  std::pair<int, int> import(const std::vector<CatalogueEntry>& entries);

 private:
  std::shared_ptr<store::Database> db_;
};

}  // namespace zhaoyin::access
