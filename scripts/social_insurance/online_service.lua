-- 河南省社会保险网上服务平台: 单位参保登记 (employer registration) online.
--
--   * login: only enterprises that still exist (存续) register employees,
--     and an 办事人 needs 电子政务/社保/参保登记 in the grant;
--   * prefill: the generic form mapped onto the platform's 单位参保登记 fields,
--     with the registration date set to today (China time).

local REGISTRATION = "电子政务/社保/参保登记"

function on_login_confirmed(event)
  if zhaoyin.face("status") ~= "active" then
    return { refuse = "单位登记状态为" .. (zhaoyin.face("status_label") or "?") .. "，不能办理参保登记" }
  end
  if event.subject.holder.role ~= "legal_representative" then
    zhaoyin.require_matter(REGISTRATION)
  end
end

function on_presentation_verified(event)
  return on_login_confirmed(event)
end

function on_prefill(event, form)
  if form.id ~= "generic" then return end
  local v = form.values
  form.values.dwmc = v.name
  form.labels.dwmc = "单位名称"
  form.values.tyshxydm = v.uscc
  form.labels.tyshxydm = "统一社会信用代码"
  form.values.fddbr = zhaoyin.face("legal_representative") or ""
  form.labels.fddbr = zhaoyin.face_label("legal_representative") or "法定代表人"
  form.values.dwdz = v.address
  form.labels.dwdz = "单位地址"
  form.values.xzqh = zhaoyin.uscc.region(v.uscc) or ""
  form.labels.xzqh = "行政区划代码"
  table.insert(form.fields, { key = "cbrq", label = "参保日期", type = "date", required = true })
  form.values.cbrq = zhaoyin.date.today()
end
