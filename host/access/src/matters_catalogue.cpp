// The 授权事项目录 in the store (table matters_catalogue, migration 19): the
// starter load, extensions' contributions, the operator's edits and imports.
#include <zhaoyin/access/matters_catalogue.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <set>
#include <zhaoyin/store/database.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::access {

extern const char* const kStarterMattersJson;  // generated from data/starter_matters.json

using namespace Poco::Data::Keywords;

namespace {

Poco::Int64 now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

const char* const kColumns = "code, domain, industry, matter, label, status, source, created_at, updated_at";

CatalogueEntry from_row(const Poco::Data::RecordSet& rs, std::size_t row) {
  CatalogueEntry e;
  e.code = rs.value(0, row).convert<std::string>();
  e.domain = rs.value(1, row).convert<std::string>();
  e.industry = rs.value(2, row).convert<std::string>();
  e.matter = rs.value(3, row).convert<std::string>();
  e.label = rs.value(4, row).convert<std::string>();
  e.status = rs.value(5, row).convert<std::string>();
  e.source = rs.value(6, row).convert<std::string>();
  e.created_at = rs.value(7, row).convert<Poco::Int64>();
  e.updated_at = rs.value(8, row).convert<Poco::Int64>();
  return e;
}

std::vector<CatalogueEntry> select_all(Poco::Data::Session& s) {
  Poco::Data::Statement select(s);
  select << "SELECT " << kColumns << " FROM matters_catalogue";
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<CatalogueEntry> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(from_row(rs, row));
  return out;
}

// Inserts unless the code or the path is already there (two hosts loading the
// starter or contributing at once land on one row); true if it inserted.
bool insert_if_missing(Poco::Data::Session& s, const CatalogueEntry& e) {
  std::string code = e.code, path = e.path(), domain = e.domain, industry = e.industry, matter = e.matter,
              label = e.label, status = e.status, source = e.source;
  Poco::Int64 at = now_seconds();
  Poco::Data::Statement insert(s);
  insert << "INSERT INTO matters_catalogue (code, path, domain, industry, matter, label, status, source, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      use(code), use(path), use(domain), use(industry), use(matter), use(label), use(status), use(source), use(at),
      use(at);
  return insert.execute() == 1;
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return out;
    start = slash + 1;
  }
}

int domain_rank(const std::string& d) { return d == "电子政务" ? 0 : d == "电子商务" ? 1 : 2; }

void sort_entries(std::vector<CatalogueEntry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const CatalogueEntry& a, const CatalogueEntry& b) {
    if (domain_rank(a.domain) != domain_rank(b.domain)) return domain_rank(a.domain) < domain_rank(b.domain);
    if (a.industry != b.industry) return a.industry < b.industry;
    return a.code < b.code;
  });
}

AccessError invalid_matter(const std::string& message) {
  return AccessError(422, "invalid_matter", message, {{"matter", message}});
}

}  // namespace

std::string generated_matter_code(const std::string& path) {
  std::string hex = trust::hex_encode(trust::sm3(path)).substr(0, 10);
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "M" + hex;
}

MattersCatalogue::MattersCatalogue(std::shared_ptr<store::Database> db) : db_(std::move(db)) {}

std::vector<CatalogueEntry> MattersCatalogue::starter_entries() {
  auto entries = parse_catalogue_json(kStarterMattersJson);
  for (auto& e : entries) e.source = "starter";
  return entries;
}

int MattersCatalogue::load_starter() {
  const auto entries = starter_entries();
  try {
    auto s = db_->session();
    int added = 0;
    for (const auto& e : entries) added += insert_if_missing(s, e) ? 1 : 0;
    return added;
  } catch (const Poco::Exception& e) {
    rethrow("cannot load the starter matters catalogue", e);
  }
}

int MattersCatalogue::contribute(const nlohmann::json& extension_matters) {
  if (!extension_matters.is_array()) return 0;
  std::set<std::string> present;
  try {
    auto s = db_->session();
    Poco::Data::Statement select(s);
    select << "SELECT path FROM matters_catalogue";
    select.execute();
    Poco::Data::RecordSet rs(select);
    for (std::size_t row = 0; row < rs.rowCount(); ++row) present.insert(rs.value(0, row).convert<std::string>());
    int added = 0;
    for (const auto& m : extension_matters) {
      if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) continue;
      const auto path = m["path"].get<std::string>();
      if (present.count(path)) continue;
      const auto parts = segments(path);
      if (parts.size() != 3) continue;  // a 领域/行业 node is not a matter
      CatalogueEntry e;
      e.domain = parts[0];
      e.industry = parts[1];
      e.matter = parts[2];
      e.label = m.contains("name") && m["name"].is_string() && m["name"].get<std::string>() != e.matter
                    ? m["name"].get<std::string>()
                    : "";
      e.source = m.contains("source") && m["source"].is_string() ? m["source"].get<std::string>() : "extension";
      e.code = generated_matter_code(path);
      if (!entry_problem(e).empty()) continue;  // what the catalogue cannot hold stays out of it
      if (insert_if_missing(s, e)) ++added;
      present.insert(path);
    }
    return added;
  } catch (const Poco::Exception& e) {
    rethrow("cannot merge the extensions' matters into the catalogue", e);
  }
}

std::vector<CatalogueEntry> MattersCatalogue::list() const {
  try {
    auto s = db_->session();
    auto entries = select_all(s);
    sort_entries(entries);
    return entries;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read the matters catalogue", e);
  }
}

std::optional<CatalogueEntry> MattersCatalogue::find(const std::string& code) const {
  try {
    auto s = db_->session();
    std::string c = code;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM matters_catalogue WHERE code = ?", use(c);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    return from_row(rs, 0);
  } catch (const Poco::Exception& e) {
    rethrow("cannot read the matters catalogue", e);
  }
}

KnownMatters MattersCatalogue::known() const {
  KnownMatters k;
  for (const auto& e : list()) (e.active() ? k.active : k.retired).push_back(e.path());
  return k;
}

CatalogueEntry MattersCatalogue::add(CatalogueEntry entry) {
  entry.source = "operator";
  if (entry.status.empty()) entry.status = "active";
  if (entry.code.empty() && !entry.domain.empty()) entry.code = generated_matter_code(entry.path());
  if (const auto problem = entry_problem(entry); !problem.empty()) throw invalid_matter(problem);
  try {
    auto s = db_->session();
    Poco::Data::Transaction tx(s);
    db_->lock_for_write(s);
    if (!insert_if_missing(s, entry)) {
      tx.rollback();
      for (const auto& e : select_all(s)) {
        if (e.path() == entry.path())
          throw AccessError(409, "matter_exists", "授权事项“" + entry.path() + "”已在目录中（编码 " + e.code + "，" +
                                                     (e.active() ? "使用中" : "已停用") + "）");
      }
      throw AccessError(409, "matter_exists", "编码“" + entry.code + "”已被其他授权事项使用");
    }
    tx.commit();
  } catch (const Poco::Exception& e) {
    rethrow("cannot add to the matters catalogue", e);
  }
  return *find(entry.code);
}

CatalogueEntry MattersCatalogue::rename(const std::string& code, const std::string& label) {
  auto current = find(code);
  if (!current) throw AccessError(404, "matter_not_found", "目录中没有编码为“" + code + "”的授权事项");
  CatalogueEntry changed = *current;
  changed.label = label == current->matter ? "" : label;
  if (const auto problem = entry_problem(changed); !problem.empty()) throw invalid_matter(problem);
  try {
    auto s = db_->session();
    std::string c = code, l = changed.label;
    Poco::Int64 at = now_seconds();
    s << "UPDATE matters_catalogue SET label = ?, updated_at = ? WHERE code = ?", use(l), use(at), use(c), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot rename a matter of the catalogue", e);
  }
  return *find(code);
}

CatalogueEntry MattersCatalogue::set_status(const std::string& code, const std::string& status) {
  if (status != "active" && status != "retired")
    throw invalid_matter("状态只能是 active（使用中）或 retired（已停用）");
  if (!find(code)) throw AccessError(404, "matter_not_found", "目录中没有编码为“" + code + "”的授权事项");
  try {
    auto s = db_->session();
    std::string c = code, st = status;
    Poco::Int64 at = now_seconds();
    s << "UPDATE matters_catalogue SET status = ?, updated_at = ? WHERE code = ?", use(st), use(at), use(c), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot change a matter of the catalogue", e);
  }
  return *find(code);
}

std::pair<int, int> MattersCatalogue::import(const std::vector<CatalogueEntry>& given) {
  if (given.empty())
    throw AccessError(422, "invalid_catalogue_import", "导入的目录没有任何授权事项", {{"line 0", "导入的目录没有任何授权事项"}});
  std::vector<FieldError> problems;
  auto problem = [&](const CatalogueEntry& e, const std::string& message) {
    problems.push_back({"line " + std::to_string(e.line), message});
  };
  try {
    auto s = db_->session();
    Poco::Data::Transaction tx(s);
    db_->lock_for_write(s);
    std::map<std::string, CatalogueEntry> by_code, by_path;
    for (const auto& e : select_all(s)) {
      by_code.emplace(e.code, e);
      by_path.emplace(e.path(), e);
    }
    std::set<std::string> codes_seen, paths_seen;
    std::vector<CatalogueEntry> inserts, updates;
    for (auto e : given) {
      if (e.status.empty()) e.status = "active";
      if (e.code.empty() && !e.domain.empty()) e.code = generated_matter_code(e.path());
      if (const auto p = entry_problem(e); !p.empty()) {
        problem(e, p);
        continue;
      }
      if (!codes_seen.insert(e.code).second) {
        problem(e, "编码“" + e.code + "”在导入内容中重复");
        continue;
      }
      if (!paths_seen.insert(e.path()).second) {
        problem(e, "授权事项“" + e.path() + "”在导入内容中重复");
        continue;
      }
      const auto same_code = by_code.find(e.code);
      const auto same_path = by_path.find(e.path());
      if (same_code != by_code.end()) {
        if (same_code->second.path() != e.path()) {
          problem(e, "编码“" + e.code + "”在目录中是“" + same_code->second.path() + "”，路径不能改为“" + e.path() + "”");
          continue;
        }
        updates.push_back(e);
      } else if (same_path != by_path.end()) {
        problem(e, "授权事项“" + e.path() + "”已在目录中，编码是“" + same_path->second.code + "”而不是“" + e.code + "”");
      } else {
        e.source = "import";
        inserts.push_back(e);
      }
    }
    if (!problems.empty()) {
      tx.rollback();
      throw AccessError(422, "invalid_catalogue_import",
                        "导入内容有 " + std::to_string(problems.size()) + " 处错误，目录未作任何修改", problems);
    }
    for (const auto& e : inserts) insert_if_missing(s, e);
    const Poco::Int64 at = now_seconds();
    for (const auto& e : updates) {
      std::string c = e.code, l = e.label == e.matter ? "" : e.label, st = e.status;
      Poco::Int64 when = at;
      s << "UPDATE matters_catalogue SET label = ?, status = ?, updated_at = ? WHERE code = ?", use(l), use(st),
          use(when), use(c), now;
    }
    tx.commit();
    return {static_cast<int>(inserts.size()), static_cast<int>(updates.size())};
  } catch (const Poco::Exception& e) {
    rethrow("cannot import into the matters catalogue", e);
  }
}

}  // namespace zhaoyin::access
