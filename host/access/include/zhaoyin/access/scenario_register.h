#pragma once
// 附件2 电子营业执照应用场景清单 across applications: the register a
// department keeps of where the electronic business license is used — one row
// per approved matter of every active access application the reader may see,
// filtered, and exported as CSV (Excel-friendly) and as a PDF in 附件2's layout.
#include <string>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::access {

struct RegisterRow {
  std::string application_id;            // apl-…
  std::string client_id;                 // the relying-party application it became
  std::string org_name;                  // 机构名称 of the applicant
  std::string uscc;
  std::string field;                     // e_government | e_commerce
  std::string industry;                  // 行业
  std::vector<std::string> channels;     // 应用方式 of the application
  std::string department_plugin;         // the department plugin it runs ("" none)
  ScenarioRow scenario;                  // the form's row, or the default (scenarios.h)
  bool defaulted = false;                // no row in the form: the default was used
};

// What the register page filters by; empty members match everything.
struct RegisterFilter {
  std::string department;  // 实施部门, exact
  std::string field;       // e_government | e_commerce
  std::string industry;    // 行业, exact
  std::string function;    // login | presentation | signature | other
  std::string text;        // case-insensitive substring of matter, 实施部门, 办事系统, 备注, 机构名称, USCC
};

// One row per matter of each Active application, in the order 实施部门, matter,
// application; then `filter` applied.
std::vector<RegisterRow> register_rows(const std::vector<AccessApplication>& applications,
                                       const RegisterFilter& filter = {});

// The distinct values of the filters' choices among `rows` (sorted).
std::vector<std::string> register_departments(const std::vector<RegisterRow>& rows);
std::vector<std::string> register_industries(const std::vector<RegisterRow>& rows);

// RFC 4180 CSV in 附件2's column order — 序号, 应用事项名称, 实施部门, 办事系统,
// 应用功能, 备注 — UTF-8 with a byte order mark (Excel reads Chinese
// correctly only then), CRLF line ends, every field quoted.
std::string register_csv(const std::vector<RegisterRow>& rows);

struct RegisterPrint {
  std::string issuer;      // who publishes the register (实施部门 filter or "全部"), printed under the title
  bool sandbox = false;    // banner and watermark on every page
};

// The register as 附件2 prints it: title 电子营业执照应用场景清单, the issuer
// and date, and the six-column table (header repeated on every page).
std::string render_register_pdf(const std::vector<RegisterRow>& rows, const RegisterPrint& print);

}  // namespace zhaoyin::access
