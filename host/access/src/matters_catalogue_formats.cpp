// The catalogue's entries checked one by one, and its two exchange formats:
// CSV (RFC 4180) and JSON, read strictly (every bad line reported, nothing
// half-read) and written so they read back.
#include <zhaoyin/access/matters_catalogue.h>

#include <algorithm>
#include <map>
#include <zhaoyin/protocol/json_reader.h>

namespace zhaoyin::access {

namespace {

constexpr std::size_t kMaxEntries = 20000;  // a province's 事项目录 is a few thousand lines

// Code points of valid UTF-8, or npos when it is not UTF-8 (RFC 3629 §3: no
// overlong forms, no surrogates, nothing beyond U+10FFFF).
std::size_t utf8_length(const std::string& s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return std::string::npos;
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::string::npos;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return std::string::npos;
    i += n;
  }
  return count;
}

// A cell starting with one of these is a formula to a spreadsheet program
// (OWASP "CSV injection"); the catalogue refuses them so its CSV export is
// safe to open and still reads back unchanged.
bool formula_start(const std::string& s) { return !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'); }

// A 行业 or 事项 segment: 1..50 characters, no '/', no control characters, no
// surrounding blanks (they would make two paths look the same).
std::string segment_problem(const std::string& what, const std::string& s) {
  if (s.empty()) return what + "不能为空";
  const auto n = utf8_length(s);
  if (n == std::string::npos) return what + "不是有效的 UTF-8 文本";
  if (n > 50) return what + "“" + s + "”超过 50 个字";
  if (s.find('/') != std::string::npos) return what + "“" + s + "”不能含有“/”";
  if (std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; }))
    return what + "不能含有控制字符";
  if (s.front() == ' ' || s.back() == ' ') return what + "“" + s + "”首尾不能有空格";
  if (formula_start(s)) return what + "“" + s + "”不能以 = + - @ 开头（电子表格会把导出的 CSV 当作公式）";
  return "";
}

bool code_ok(const std::string& c) {
  if (c.empty() || c.size() > 64) return false;
  auto plain = [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (!plain(c[0])) return false;
  return std::all_of(c.begin(), c.end(), [&](char ch) { return plain(ch) || ch == '.' || ch == '_' || ch == '-'; });
}

AccessError import_error(std::vector<FieldError> problems) {
  const std::string message =
      "导入内容有 " + std::to_string(problems.size()) + " 处错误，目录未作任何修改";
  return AccessError(422, "invalid_catalogue_import", message, std::move(problems));
}

// RFC 4180 §2 records: fields separated by ',', optionally in double quotes
// ("" inside quotes is one quote); a quoted field may hold commas and line
// breaks. Each record remembers the line it started on.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

std::vector<CsvRecord> csv_records(std::string_view text, std::vector<FieldError>& problems) {
  std::vector<CsvRecord> out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // the BOM spreadsheet programs write
  std::size_t line = 1, i = 0;
  while (i < text.size()) {
    CsvRecord record{line, {}};
    std::string field;
    bool quoted = false, record_done = false, bad = false;
    while (!record_done) {
      if (i >= text.size()) {
        if (quoted) {
          problems.push_back({"line " + std::to_string(record.line), "引号没有闭合"});
          bad = true;
        }
        record.fields.push_back(field);
        break;
      }
      const char c = text[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            ++i;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        continue;
      }
      if (c == ',') {
        record.fields.push_back(field);
        field.clear();
        ++i;
      } else if (c == '\r' || c == '\n') {
        record.fields.push_back(field);
        i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
        ++line;
        record_done = true;
      } else if (c == '"' && field.empty()) {
        quoted = true;
        ++i;
      } else if (c == '"') {
        problems.push_back({"line " + std::to_string(record.line), "引号只能包住整个字段"});
        bad = true;
        ++i;
      } else {
        field += c;
        ++i;
      }
    }
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank && !bad) out.push_back(std::move(record));
    if (out.size() > kMaxEntries + 1) {
      problems.push_back({"line " + std::to_string(record.line), "一次最多导入 " + std::to_string(kMaxEntries) + " 项"});
      break;
    }
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string entry_problem(const CatalogueEntry& e) {
  if (e.domain != "电子政务" && e.domain != "电子商务")
    return "领域只能是“电子政务”或“电子商务”" + (e.domain.empty() ? std::string() : "，不是“" + e.domain + "”");
  if (auto p = segment_problem("行业", e.industry); !p.empty()) return p;
  if (auto p = segment_problem("事项", e.matter); !p.empty()) return p;
  if (!code_ok(e.code)) return "编码“" + e.code + "”只能由字母、数字和 . _ - 组成（字母或数字开头，至多 64 个字符）";
  if (!e.label.empty()) {
    const auto n = utf8_length(e.label);
    if (n == std::string::npos) return "名称不是有效的 UTF-8 文本";
    if (n > 100) return "名称超过 100 个字";
    if (formula_start(e.label)) return "名称不能以 = + - @ 开头（电子表格会把导出的 CSV 当作公式）";
    if (std::any_of(e.label.begin(), e.label.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; }))
      return "名称不能含有控制字符";
  }
  if (e.status != "active" && e.status != "retired") return "状态只能是 active（使用中）或 retired（已停用）";
  return "";
}

std::vector<CatalogueEntry> parse_catalogue_csv(std::string_view text) {
  std::vector<FieldError> problems;
  const auto records = csv_records(text, problems);
  if (!problems.empty()) throw import_error(problems);
  if (records.empty()) throw import_error({{"line 0", "没有内容：第一行应是表头 code,domain,industry,matter,label,status"}});
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < records[0].fields.size(); ++i) {
    if (!column.emplace(records[0].fields[i], i).second)
      problems.push_back({"line " + std::to_string(records[0].line), "表头的列“" + records[0].fields[i] + "”重复"});
  }
  for (const char* required : {"domain", "industry", "matter"})
    if (!column.count(required))
      problems.push_back({"line " + std::to_string(records[0].line),
                          std::string("表头缺少列“") + required + "”（应有 code,domain,industry,matter,label,status）"});
  if (!problems.empty()) throw import_error(problems);
  std::vector<CatalogueEntry> out;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.fields.size() != records[0].fields.size()) {
      problems.push_back({"line " + std::to_string(rec.line), "有 " + std::to_string(rec.fields.size()) +
                                                                  " 列，表头有 " + std::to_string(records[0].fields.size()) + " 列"});
      continue;
    }
    auto get = [&](const char* name) { return column.count(name) ? rec.fields[column[name]] : std::string(); };
    CatalogueEntry e;
    e.line = rec.line;
    e.code = get("code");
    e.domain = get("domain");
    e.industry = get("industry");
    e.matter = get("matter");
    e.label = get("label");
    e.status = get("status");
    if (e.status.empty()) e.status = "active";  // a blank status column means in use
    CatalogueEntry checked = e;
    if (checked.code.empty() && !checked.domain.empty()) checked.code = generated_matter_code(checked.path());
    if (const auto p = entry_problem(checked); !p.empty()) problems.push_back({"line " + std::to_string(rec.line), p});
    out.push_back(std::move(e));
  }
  if (!problems.empty()) throw import_error(problems);
  return out;
}

std::vector<CatalogueEntry> parse_catalogue_json(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = protocol::read_json(text);
  } catch (const protocol::JsonInputError& e) {
    throw import_error({{"line 0", std::string("不是可读的 JSON：") + e.what()}});
  }
  return catalogue_from_json(doc);
}

std::vector<CatalogueEntry> catalogue_from_json(const nlohmann::json& doc) {
  const nlohmann::json* items = &doc;
  if (doc.is_object()) {
    if (!doc.contains("matters") || !doc["matters"].is_array())
      throw import_error({{"line 0", "JSON 应是 {\"matters\": [...]} 或授权事项的数组"}});
    items = &doc["matters"];
  }
  if (!items->is_array()) throw import_error({{"line 0", "JSON 应是 {\"matters\": [...]} 或授权事项的数组"}});
  if (items->size() > kMaxEntries) throw import_error({{"line 0", "一次最多导入 " + std::to_string(kMaxEntries) + " 项"}});
  std::vector<FieldError> problems;
  std::vector<CatalogueEntry> out;
  std::size_t n = 0;
  for (const auto& item : *items) {
    ++n;
    const std::string where = "line " + std::to_string(n);
    if (!item.is_object()) {
      problems.push_back({where, "第 " + std::to_string(n) + " 项不是对象"});
      continue;
    }
    CatalogueEntry e;
    e.line = n;
    bool typed = true;
    for (const auto& [key, value] : item.items()) {
      std::string* target = key == "code"       ? &e.code
                            : key == "domain"   ? &e.domain
                            : key == "industry" ? &e.industry
                            : key == "matter"   ? &e.matter
                            : key == "label"    ? &e.label
                            : key == "status"   ? &e.status
                                                : nullptr;
      if (!target) continue;  // source, path and the like are information only
      if (!value.is_string()) {
        problems.push_back({where, "“" + key + "”应是字符串"});
        typed = false;
        break;
      }
      *target = value.get<std::string>();
    }
    if (!typed) continue;
    if (e.status.empty()) e.status = "active";
    CatalogueEntry checked = e;
    if (checked.code.empty() && !checked.domain.empty()) checked.code = generated_matter_code(checked.path());
    if (const auto p = entry_problem(checked); !p.empty()) problems.push_back({where, p});
    out.push_back(std::move(e));
  }
  if (!problems.empty()) throw import_error(problems);
  return out;
}

std::string catalogue_to_csv(const std::vector<CatalogueEntry>& entries) {
  std::string out = "code,domain,industry,matter,label,status,source\r\n";
  for (const auto& e : entries)
    out += csv_field(e.code) + "," + csv_field(e.domain) + "," + csv_field(e.industry) + "," + csv_field(e.matter) +
           "," + csv_field(e.label) + "," + csv_field(e.status) + "," + csv_field(e.source) + "\r\n";
  return out;
}

nlohmann::json catalogue_to_json(const std::vector<CatalogueEntry>& entries) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : entries)
    items.push_back({{"code", e.code},
                     {"domain", e.domain},
                     {"industry", e.industry},
                     {"matter", e.matter},
                     {"path", e.path()},
                     {"label", e.label},
                     {"status", e.status},
                     {"source", e.source}});
  return {{"format", "zhaoyin-matters-catalogue/1"}, {"matters", items}};
}

}  // namespace zhaoyin::access
