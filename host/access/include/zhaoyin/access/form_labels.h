#pragma once
// Labels of the form's enumeration values where a bare key is ambiguous.
// labels() (access_application.h) maps every field name and every
// enumeration key to Chinese; two keys mean different things in different
// fields ("province" is the field 省份 and the scope value 本省), so
// labels() also holds qualified keys "<field>.<value>", e.g. "scope.province"
// → 本省, "needs.other" → 其他. value_label() looks those up.
#include <string>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::access {

// The Chinese label of `value` in enumeration `field` (org_nature, field,
// needs, scope, channels, province); `value` itself when unknown.
std::string value_label(const std::string& field, const std::string& value);

// The enumeration keys of a field, in the form's order (empty for a free-text field).
const std::vector<std::string>& enumeration(const std::string& field);

// 11 北京市 ... 82 澳门特别行政区 (GB/T 2260 province-level codes); "" when unknown.
std::string province_name(const std::string& code);

// 提交 | 受理 | 退回修改 | 批准 | 不予批准 | 暂停 | 恢复 | 撤销 | 重置密钥
std::string action_label(Action a);
// 申请人 | 审核员 | 运营管理员; the role itself when unknown.
std::string role_label(const std::string& role);

}  // namespace zhaoyin::access
