-- 湖北省电子税务局（沙箱）: the e-tax hall's flows.
--
-- Bound to the sandbox's tax application. The tax department plugin already
-- checks the enterprise status and the 办税人员's authorisation; this script
-- adapts the flows to the e-tax hall:
--   * prefill: the generic face-info form, mapped onto the e-tax hall's own
--     field names (nsrsbh, nsrmc, ...), so its forms take the values as they are;
--   * presentation / login: the hall serves 湖北 enterprises only (USCC region 42xxxx)
--     and logs who came for which matter;
--   * sign tasks: 发票申领 needs the 发票专用章, 纳税申报 the 法定名称章.

local HUBEI = "42"

-- e-tax hall field -> { generic form key, label in the hall's forms }
local GENERIC_TO_ETAX = {
  { "nsrsbh", "uscc",                   "纳税人识别号" },
  { "nsrmc",  "name",                   "纳税人名称" },
  { "djzclx", "type",                   "登记注册类型" },
  { "zcdz",   "address",                "注册地址" },
  { "jyfw",   "business_scope",         "经营范围" },
  { "kyrq",   "established",            "开业（设立）日期" },
  { "djjg",   "registration_authority", "登记机关" },
  { "bsrxm",  "handler_name",           "办税人姓名" },
  { "bsrsf",  "handler_role",           "办税人身份" },
}

local function in_hubei(uscc)
  local region = zhaoyin.uscc.region(uscc or "")
  return region ~= nil and region:sub(1, 2) == HUBEI
end

function on_prefill(event, form)
  if form.id ~= "generic" then return end
  for _, m in ipairs(GENERIC_TO_ETAX) do
    local etax_key, generic_key, label = m[1], m[2], m[3]
    form.values[etax_key] = form.values[generic_key] or ""
    form.labels[etax_key] = label
  end
  -- 法定代表人 / 负责人 / 经营者 / 执行事务合伙人: the license kind's own label.
  form.values.fddbrxm = zhaoyin.face("legal_representative") or ""
  form.labels.fddbrxm = (zhaoyin.face_label("legal_representative") or "法定代表人") .. "姓名"
  -- 登记注册类型 as the tax department's plugin derives it, when its form is there
  -- (the plugin's own helper; without the plugin the license's type text stays).
  for _, f in ipairs(zhaoyin.forms.list()) do
    if f.id == "tax.taxpayer_info" then
      local info = zhaoyin.forms.prefill("tax.taxpayer_info")
      if info and info.values.registration_type then form.values.djzclx = info.values.registration_type end
    end
  end
  -- The hall's own field: how the taxpayer was identified.
  table.insert(form.fields, { key = "sfyzfs", label = "身份验证方式", type = "text", required = true })
  form.values.sfyzfs = "电子营业执照（" .. event.detail.source .. "）"
end

function on_presentation_verified(event)
  local uscc = zhaoyin.face("uscc")
  if not in_hubei(uscc) then
    return { refuse = "湖北省电子税务局仅受理湖北省登记的纳税人（统一社会信用代码 " .. uscc .. "）" }
  end
  zhaoyin.log("info", "办税服务厅出示执照：" .. zhaoyin.face("name") .. "，事项 " .. tostring(event.detail.matter))
end

function on_login_confirmed(event)
  if not in_hubei(zhaoyin.face("uscc")) then
    zhaoyin.refuse("湖北省电子税务局仅受理湖北省登记的纳税人")
  end
end

function on_sign_task_created(event)
  local matter = event.detail.matter
  if matter == "电子政务/税务/发票申领" then
    zhaoyin.require_seal_types({ "invoice" })
  elseif matter == "电子政务/税务/纳税申报" then
    zhaoyin.require_seal_types({ "company" })
  end
end

function on_signature_made(event)
  zhaoyin.log("info", "电子税务局签章完成：任务 " .. event.detail.task_id .. "，印章 " .. event.detail.seal.type)
end
