#pragma once
// Server-rendered SVG bar charts for /admin/usage, built only from numbers
// and escaped labels (so the page can pass them as Templates::trusted).
#include <string>
#include <vector>

namespace zhaoyin::admin {

struct ChartBar {
  std::string label;  // e.g. "11-23" (escaped here)
  double value = 0;
  double secondary = 0;  // stacked on top in the warning colour (e.g. refused); 0 for none
};

struct ChartOptions {
  std::string title;            // the SVG's accessible name (escaped here)
  double reference = 0;         // a dashed line (declared limit); 0: none
  std::string reference_label;  // e.g. "年验证量/365 = 274" (escaped here)
  std::string unit;             // after the axis numbers, e.g. "次/秒"
};

std::string bar_chart_svg(const std::vector<ChartBar>& bars, const ChartOptions& options);

}  // namespace zhaoyin::admin
