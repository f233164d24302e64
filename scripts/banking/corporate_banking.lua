-- 沙箱商业银行企业网银: corporate online banking (对公开户, account opening).
--
--   * presentation / login: a branch (分公司) cannot open a corporate account
--     remotely (the head office's authorisation letter is checked at the
--     counter); an 办事人 must be authorised for 电子商务/银行/对公开户;
--   * prefill: the generic form mapped onto the bank's account-opening fields,
--     with the account type to choose;
--   * sign tasks: the bank's 预留印鉴 is the 财务专用章 and the 法定代表人章,
--     so every signature for the bank carries both.

local ACCOUNT_OPENING = "电子商务/银行/对公开户"

local function check_customer(event)
  if zhaoyin.face("kind") == "branch" then
    zhaoyin.refuse("分支机构（" .. zhaoyin.face("name") .. "）不能在线开立对公账户，请持总公司授权书到柜台办理")
  end
  if event.subject.holder.role == "agent" then
    zhaoyin.require_matter(ACCOUNT_OPENING)
  end
end

function on_presentation_verified(event)
  check_customer(event)
end

function on_login_confirmed(event)
  check_customer(event)
end

function on_prefill(event, form)
  if form.id ~= "generic" then return end
  local v = form.values
  local mapped = {
    khmc = { v.name, "客户名称（账户名称）" },
    zjhm = { v.uscc, "证明文件编号（统一社会信用代码）" },
    fddbr = { zhaoyin.face("legal_representative"), zhaoyin.face_label("legal_representative") or "法定代表人" },
    zcdz = { v.address, "注册地址" },
    jyfw = { v.business_scope, "经营范围" },
    zczb = { v.registered_capital, "注册资本" },
  }
  for key, value_label in pairs(mapped) do
    form.values[key] = value_label[1] or ""
    form.labels[key] = value_label[2]
  end
  table.insert(form.fields, {
    key = "zhlx", label = "账户类型", type = "select", required = true,
    options = { "基本存款账户", "一般存款账户", "专用存款账户", "临时存款账户" },
  })
  form.values.zhlx = "基本存款账户"
end

function on_sign_task_created(event)
  zhaoyin.require_seal_types({ "finance", "legal_rep" })
end
