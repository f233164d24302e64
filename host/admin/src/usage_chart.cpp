#include "usage_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <zhaoyin/http/html.h>

namespace zhaoyin::admin {

namespace {

constexpr double kWidth = 760, kHeight = 230;
constexpr double kLeft = 64, kRight = 16, kTop = 18, kBottom = 30;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A round axis maximum at or above `v` (1, 2, 5 × 10^k).
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}

std::string axis_number(double v) {
  char buf[32];
  if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  else if (v >= 1e4) std::snprintf(buf, sizeof buf, "%.3g万", v / 1e4);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

std::string bar_chart_svg(const std::vector<ChartBar>& bars, const ChartOptions& options) {
  double highest = options.reference;
  for (const auto& b : bars) highest = std::max(highest, b.value + b.secondary);
  const double top = nice_ceiling(highest * 1.05);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto y_of = [&](double v) { return kTop + plot_h - plot_h * (v / top); };

  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
                    "\" role=\"img\" aria-label=\"" + http::escape_html(options.title) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\">";
  // Grid and axis numbers: 0, 1/4, ..., top.
  for (int i = 0; i <= 4; ++i) {
    const double v = top * i / 4, y = y_of(v);
    svg += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
           "\" stroke=\"#e6e9ef\" stroke-width=\"1\"/>";
    svg += "<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           http::escape_html(axis_number(v) + options.unit) + "</text>";
  }
  const double slot = bars.empty() ? plot_w : plot_w / static_cast<double>(bars.size());
  const double bar_w = std::max(1.0, slot * 0.7);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    const double y = y_of(b.value);
    svg += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(bar_w) + "\" height=\"" +
           num(kTop + plot_h - y) + "\" fill=\"#3b6fd8\"><title>" + http::escape_html(b.label) + ": " +
           axis_number(b.value) + "</title></rect>";
    if (b.secondary > 0) {
      const double y2 = y_of(b.value + b.secondary);
      svg += "<rect class=\"bar-secondary\" x=\"" + num(x) + "\" y=\"" + num(y2) + "\" width=\"" + num(bar_w) +
             "\" height=\"" + num(y - y2) + "\" fill=\"#e0a100\"><title>" + http::escape_html(b.label) + ": " +
             axis_number(b.secondary) + "</title></rect>";
    }
    // Every fifth day and the last one get a date under the axis.
    if (i % 5 == 0 || i + 1 == bars.size())
      svg += "<text x=\"" + num(x + bar_w / 2) + "\" y=\"" + num(kHeight - 10) + "\" text-anchor=\"middle\">" +
             http::escape_html(b.label) + "</text>";
  }
  svg += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(kTop + plot_h) + "\" y2=\"" +
         num(kTop + plot_h) + "\" stroke=\"#9aa3b2\" stroke-width=\"1\"/>";
  if (options.reference > 0) {
    const double y = y_of(options.reference);
    svg += "<line class=\"reference\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(y) +
           "\" y2=\"" + num(y) + "\" stroke=\"#b0202a\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>";
    svg += "<text x=\"" + num(kWidth - kRight - 4) + "\" y=\"" + num(y - 5) +
           "\" text-anchor=\"end\" style=\"fill:#b0202a\">" + http::escape_html(options.reference_label) + "</text>";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace zhaoyin::admin
