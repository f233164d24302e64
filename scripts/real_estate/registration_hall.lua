-- 广东省不动产登记服务平台: 转移登记 (transfer registration) for enterprises.
--
--   * presentation: a license whose business term ends within 90 days is not
--     accepted for a transfer (the registration takes up to 30 working days and
--     the enterprise must exist when the certificate is issued);
--   * prefill: the generic form mapped onto the 权利人 (right holder) fields;
--   * sign tasks: the application form is signed with the 法定名称章 and the
--     法定代表人章.

local MIN_TERM_DAYS = 90

local function term_ends_too_soon()
  local term_to = zhaoyin.face("term_to")
  if term_to == nil or term_to == "" then return false end  -- 长期
  local left = zhaoyin.date.days_between(zhaoyin.date.today(), term_to)
  return left < MIN_TERM_DAYS, left
end

function on_presentation_verified(event)
  local too_soon, left = term_ends_too_soon()
  if too_soon then
    zhaoyin.refuse(string.format("营业期限于 %s 届满（剩余 %d 天，少于 %d 天），不受理不动产转移登记",
      zhaoyin.face("term_to"), left, MIN_TERM_DAYS))
  end
end

function on_prefill(event, form)
  if form.id ~= "generic" then return end
  local v = form.values
  local fields = {
    { "qlrmc", v.name, "权利人名称" },
    { "zjzl", "统一社会信用代码", "证件种类" },
    { "zjh", v.uscc, "证件号" },
    { "frdb", zhaoyin.face("legal_representative") or "", zhaoyin.face_label("legal_representative") or "法定代表人" },
    { "txdz", v.address, "通讯地址" },
    { "dlrxm", v.handler_name, "代理人姓名" },
  }
  for _, f in ipairs(fields) do
    form.values[f[1]] = f[2]
    form.labels[f[1]] = f[3]
  end
end

function on_sign_task_created(event)
  zhaoyin.require_seal_types({ "company", "legal_rep" })
end
