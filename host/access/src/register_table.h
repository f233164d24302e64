#pragma once
// The six-column table of 附件2 (序号, 应用事项名称, 实施部门, 办事系统, 应用功能,
// 备注), shared by the register's PDF and the application form's printout.
// Internal to host/access.
#include <vector>
#include <zhaoyin/access/access_application.h>

#include "pdf_document.h"

namespace zhaoyin::access::pdf {

void draw_scenario_table(Document& d, const std::vector<ScenarioRow>& rows);

}  // namespace zhaoyin::access::pdf
