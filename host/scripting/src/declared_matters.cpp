#include "declared_matters.h"

namespace zhaoyin::scripting {

namespace {

constexpr std::string_view kMarker = "--@matter";
constexpr std::size_t kMaxDeclared = 1000;
constexpr std::size_t kMaxPiece = 512;

bool blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (blank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

nlohmann::json declared_matters(std::string_view text) {
  nlohmann::json out = nlohmann::json::array();
  std::size_t start = 0;
  while (start <= text.size() && out.size() < kMaxDeclared) {
    const auto end = text.find('\n', start);
    const auto line = trimmed(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    if (line.substr(0, kMarker.size()) != kMarker) continue;
    auto rest = line.substr(kMarker.size());
    if (rest.empty() || !blank(rest.front())) continue;  // --@matters, --@matterX: not ours
    rest = trimmed(rest);
    const auto gap = rest.find_first_of(" \t");
    const auto path = rest.substr(0, gap);
    const auto name = gap == std::string_view::npos ? std::string_view() : trimmed(rest.substr(gap));
    if (path.empty() || path.size() > kMaxPiece || name.size() > kMaxPiece) continue;
    out.push_back({{"path", std::string(path)}, {"name", std::string(name)}});
  }
  return out;
}

}  // namespace zhaoyin::scripting
