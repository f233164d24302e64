// The 授权事项 tree flattened to paths, and how a chosen matter is checked against it.
#include <zhaoyin/access/matters.h>

#include <algorithm>
#include <set>

namespace zhaoyin::access {

namespace {

void collect(const nlohmann::json& node, std::set<std::string>& out) {
  if (node.is_string()) {
    if (!node.get<std::string>().empty()) out.insert(node.get<std::string>());
    return;
  }
  if (node.is_array()) {
    for (const auto& child : node) collect(child, out);
    return;
  }
  if (!node.is_object()) return;
  auto path = node.find("path");
  if (path != node.end() && path->is_string() && !path->get<std::string>().empty()) out.insert(path->get<std::string>());
  auto children = node.find("children");
  if (children != node.end()) collect(*children, out);
}

}  // namespace

std::vector<std::string> flatten_matters(const nlohmann::json& tree) {
  std::set<std::string> paths;
  collect(tree, paths);
  return {paths.begin(), paths.end()};
}

bool matter_offered(const std::string& matter, const std::vector<std::string>& known) {
  if (matter.empty()) return false;
  return std::any_of(known.begin(), known.end(), [&](const std::string& path) {
    if (path == matter) return true;
    // A prefix of whole segments: "电子政务/税务" before "/发票申领".
    return path.size() > matter.size() && path.compare(0, matter.size(), matter) == 0 && path[matter.size()] == '/';
  });
}

std::string field_of_matter(const std::string& matter) {
  const auto first = matter.substr(0, matter.find('/'));
  if (first == "电子政务") return "e_government";
  if (first == "电子商务") return "e_commerce";
  return "";
}

}  // namespace zhaoyin::access
