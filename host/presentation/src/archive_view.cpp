#include "archive_view.h"

#include <zhaoyin/http/sandbox_demo.h>
#include <zhaoyin/render/license_pdf.h>

namespace zhaoyin::presentation {

namespace {

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string label_of(const nlohmann::json& face, const char* field, const char* fallback) {
  const auto labels = face.find("labels");
  if (labels != face.end() && labels->is_object()) {
    const std::string l = text(*labels, field);
    if (!l.empty()) return l;
  }
  return fallback;
}

}  // namespace

// The sandbox's licenses are marked as such whether its files are read or its
// service is asked (http/sandbox_demo.h).
bool sandbox_authority(const http::HostContext& ctx) { return http::sandbox_demo(ctx); }

std::string public_page_url(const http::HostContext& ctx, const std::string& token) {
  std::string base = ctx.settings.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/public/licenses/" + token;
}

Rows face_rows(const nlohmann::json& face) {
  Rows rows;
  auto add = [&](const char* field, const char* fallback, std::string value) {
    rows.emplace_back(label_of(face, field, fallback), std::move(value));
  };
  add("uscc", "统一社会信用代码", text(face, "uscc"));
  add("name", "名称", text(face, "name"));
  add("type", "类型", text(face, "type"));
  add("legal_representative", "法定代表人", text(face, "legal_representative"));
  if (!text(face, "registered_capital").empty())
    add("registered_capital", "注册资本", text(face, "registered_capital"));
  add("established", "成立日期", text(face, "established"));
  const std::string term_to = text(face, "term_to_text").empty() ? text(face, "term_to") : text(face, "term_to_text");
  rows.emplace_back("营业期限", text(face, "term_from") + " 至 " + term_to);
  add("address", "住所", text(face, "address"));
  add("business_scope", "经营范围", text(face, "business_scope"));
  add("registration_authority", "登记机关", text(face, "registration_authority"));
  add("approval_date", "核准日期", text(face, "approval_date"));
  add("status", "登记状态", text(face, "status_label"));
  return rows;
}

nlohmann::json archive_json(const http::HostContext& ctx, const Archive& a) {
  nlohmann::json j = {{"archive_id", a.id},
                      {"license_serial", a.license_serial},
                      {"face_info", a.subject.value("face_info", nlohmann::json::object())},
                      {"holder", a.subject.value("holder", nlohmann::json::object())},
                      {"checks", a.subject.value("checks", nlohmann::json::array())},
                      {"verified_at", a.subject.value("verified_at", "")},
                      {"matter", a.matter ? nlohmann::json(*a.matter) : nlohmann::json(nullptr)},
                      {"client_id", a.client_id},
                      {"code", a.code},
                      {"certificate_chain", a.chain},
                      {"verification_url", public_page_url(ctx, a.public_token)},
                      {"pdf_url", "/api/v1/archives/" + a.id + ".pdf"},
                      {"published", a.display_token.has_value()}};
  if (a.display_token) {
    j["display_url"] = public_page_url(ctx, *a.display_token);
    j["badge_url"] = public_page_url(ctx, *a.display_token) + "/badge.svg";
  }
  return j;
}

LiveStatus live_status(const http::HostContext& ctx, const Archive& a) {
  if (!ctx.authority) return {"unknown", "状态未知", "no issuing authority is configured"};
  try {
    return live_status_from(*ctx.authority, a);
  } catch (const authority::AuthorityUnavailable&) {
    // A public page still shows the archived copy; it only cannot say what
    // the authority says now (never "valid" on stale grounds).
    return {"unknown", "状态暂不可查", "the issuing authority cannot be reached now"};
  }
}

LiveStatus live_status_from(const authority::AuthorityConnector& source, const Archive& a) {
  const auto revocation = source.revocation_status(a.license_serial);
  if (revocation.state == authority::CertificateState::Revoked)
    return {"revoked", "执照证书已吊销", "the license certificate has been revoked by its issuing authority"};
  const auto face = source.find_license(a.uscc);
  if (!face || revocation.state == authority::CertificateState::Unknown)
    return {"unknown", "状态未知", "the issuing authority no longer knows this license"};
  if (face->status != domain::LicenseStatus::Active)
    return {"not_active", "登记状态：" + domain::status_label(face->status),
            "the enterprise is no longer 存续 (" + domain::status_label(face->status) + ")"};
  return {"valid", "有效 · 存续", "the license is valid and the enterprise is 存续"};
}

std::string archive_pdf(const http::HostContext& ctx, const Archive& a, const std::string& relying_party_name) {
  const nlohmann::json face = a.subject.value("face_info", nlohmann::json::object());
  const nlohmann::json holder = a.subject.value("holder", nlohmann::json::object());
  render::LicenseCopy copy;
  copy.sandbox = sandbox_authority(ctx);
  copy.title = "电子营业执照核验件";
  copy.subtitle = "Verified electronic business license copy" + std::string(copy.sandbox ? " · Sandbox" : "");
  copy.status_line = text(face, "name") + "　" + "统一社会信用代码 " + text(face, "uscc");
  copy.face = face_rows(face);
  std::size_t passed = 0, total = 0;
  for (const auto& c : a.subject.value("checks", nlohmann::json::array())) {
    ++total;
    if (c.value("result", "") == "passed") ++passed;
  }
  copy.verification = {
      {"核验时间", a.subject.value("verified_at", "")},
      {"核验方 (依赖方)", relying_party_name + "（" + a.client_id + "）"},
      {"出示人", text(holder, "name") + "（" + text(holder, "role_label") + "）"},
      {"事项", a.matter ? *a.matter : std::string("—")},
      {"核验结果", "通过 " + std::to_string(passed) + "/" + std::to_string(total) + " 项检查（签名、时效、一次性、证书链、吊销、登记状态、范围、授权）"},
      {"执照证书序列号", a.license_serial},
      {"存档编号", a.id},
  };
  copy.qr_text = public_page_url(ctx, a.public_token);
  copy.qr_caption = "扫码查看执照实时状态 Scan to verify";
  copy.footer = "本核验件由照印 (Zhaoyin) 根据持照人出示的电子营业执照生成，核验结果以核验时间为准；执照当前状态请扫描二维码查看。" +
                std::string(copy.sandbox ? " Sandbox：沙箱数据，仅供演示。" : "") + " " + copy.qr_text;
  return render::license_copy_pdf(copy);
}

}  // namespace zhaoyin::presentation
