// The matters catalogue's import formats (access::parse_catalogue_csv and
// parse_catalogue_json: the files an operator uploads, a province's 事项目录
// from elsewhere). Properties checked:
//   - a refusal is AccessError 422 invalid_catalogue_import with at least one
//     line problem, nothing else is thrown;
//   - every accepted entry passes entry_problem (with a generated code where
//     none was given) and carries the line it came from;
//   - what is accepted exports as CSV and as JSON that both read back to the
//     same entries (code, path, label, status).
// The first byte picks the format (even: CSV, odd: JSON); the rest is the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <zhaoyin/access/matters_catalogue.h>

using namespace zhaoyin;

namespace {

void same_entries(const std::vector<access::CatalogueEntry>& a, const std::vector<access::CatalogueEntry>& b) {
  if (a.size() != b.size()) std::abort();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].code != b[i].code || a[i].path() != b[i].path() || a[i].label != b[i].label || a[i].status != b[i].status)
      std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool json = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<access::CatalogueEntry> entries;
  try {
    entries = json ? access::parse_catalogue_json(text) : access::parse_catalogue_csv(text);
  } catch (const access::AccessError& e) {
    if (e.status() != 422 || e.code() != "invalid_catalogue_import" || e.fields().empty()) std::abort();
    return 0;
  }
  for (auto& e : entries) {
    if (e.line == 0 && !json) std::abort();
    if (e.code.empty()) e.code = access::generated_matter_code(e.path());
    if (!access::entry_problem(e).empty()) std::abort();
  }
  same_entries(entries, access::parse_catalogue_csv(access::catalogue_to_csv(entries)));
  same_entries(entries, access::parse_catalogue_json(access::catalogue_to_json(entries).dump()));
  return 0;
}
