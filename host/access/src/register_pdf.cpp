// The 附件2 电子营业执照应用场景清单 as printed (scenario_register.h), and its
// table (register_table.h).
#include <zhaoyin/access/scenario_register.h>
#include <zhaoyin/access/scenarios.h>

#include "register_table.h"

namespace zhaoyin::access {

namespace pdf {

void draw_scenario_table(Document& d, const std::vector<ScenarioRow>& rows) {
  // 序号 narrow, the matter widest (paths run long), the rest shared.
  const std::vector<double> widths = {34, 140, 88, 88, 80, kContentWidth - 430};
  const std::vector<std::string> header = {"序号", "应用事项名称", "实施部门", "办事系统", "应用功能", "备注"};
  draw_row(d, widths, header, true);
  if (rows.empty()) draw_row(d, widths, {"", "（无）", "", "", "", ""}, false);
  std::size_t serial = 0;
  for (const auto& r : rows)
    draw_row(d, widths,
             {std::to_string(++serial), r.matter, r.implementing_department, r.business_system, functions_text(r),
              r.remark},
             false, {}, &header);
}

}  // namespace pdf

std::string render_register_pdf(const std::vector<RegisterRow>& rows, const RegisterPrint& print) {
  using namespace pdf;
  Document d("电子营业执照应用场景清单");
  d.sandbox = print.sandbox;
  d.start_page();
  const auto printed = beijing_time(std::chrono::system_clock::now());
  d.footer = "电子营业执照应用场景清单 · 打印于 " + printed + "（北京时间）";

  d.y = 66;
  d.colour(0.1, 0.1, 0.1);
  d.font_size(11);
  d.text(kMargin, d.y, "附件2");
  d.y += 26;
  d.colour(0.55, 0.05, 0.05);
  d.font_size(20);
  d.centred(d.y, print.sandbox ? "电子营业执照应用场景清单（沙箱）" : "电子营业执照应用场景清单");
  d.y += 22;
  d.colour(0.3, 0.3, 0.3);
  d.font_size(10);
  d.centred(d.y, "填报单位：" + (print.issuer.empty() ? std::string("全部") : print.issuer) + "    共 " +
                     std::to_string(rows.size()) + " 项    " + printed.substr(0, 10));
  d.y += 14;

  std::vector<ScenarioRow> table;
  table.reserve(rows.size());
  for (const auto& r : rows) table.push_back(r.scenario);
  draw_scenario_table(d, table);

  // The sign-off 附件2 ends with; the department's e-seal goes on the PDF
  // itself (a sign task), this block is for the printed copy.
  d.ensure(70);
  d.y += 30;
  d.colour(0.1, 0.1, 0.1);
  d.font_size(10.5);
  d.text(kMargin + kContentWidth - 200, d.y, "填报单位（盖章）：");
  d.y += 22;
  d.text(kMargin + kContentWidth - 200, d.y, "日期：      年    月    日");
  return d.finish();
}

}  // namespace zhaoyin::access
