// The sandbox demo: /demo/sign makes a sign task for a sample contract (the
// first sandbox application approved for e-signature) and shows its QR code,
// the zhaoyin-wallet command that signs it, its live status and, once signed,
// a link to download the stamped PDF. Demo tasks carry the correlation id
// "zhaoyin-demo"; the demo pages show no other task.
#include <algorithm>
#include <fstream>
#include <filesystem>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/http/sandbox_demo.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/store/application_repository.h>

#include "api_handlers.h"
#include "sample_contract.h"
#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

using http::escape_html;

const char* const kDemoTag = "zhaoyin-demo";

// The sandbox folder the demo's wallets are in; 404 unless the host runs the
// sandbox demo (its files or its service over http: http/sandbox_demo.h).
std::filesystem::path sandbox_or_404(const http::HostContext& ctx) {
  if (!http::sandbox_demo(ctx)) throw http::ApiError::not_found("the demo runs only with the sandbox authority");
  return ctx.settings.sandbox_dir;
}

SignTask demo_task(SignService& service, const std::string& id) {
  auto t = service.find(id);
  if (!t || t->request.correlation_id.value_or("") != kDemoTag) throw http::ApiError::not_found("no demo sign task " + id);
  return *t;
}

// The sandbox wallet that can sign the demo (a legal representative of an
// enterprise in the application's province, or any legal representative).
struct DemoWallet {
  std::string holder, enterprise, path, password;
};
// The wallets are the folder's; whether their enterprise is still active is
// the authority's answer (over http, what its operator last set).
std::optional<DemoWallet> demo_wallet(const http::HostContext& ctx, const std::filesystem::path& sandbox,
                                      const store::Application& app) {
  std::ifstream in(sandbox / "sandbox.json");
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("wallets")) return std::nullopt;
  std::optional<DemoWallet> fallback;
  for (const auto& w : j["wallets"]) {
    if (w.value("role", "") != "legal_representative" || w.value("cert_revoked", false)) continue;
    const std::string uscc = w.value("uscc", "");
    const auto face = ctx.authority->find_license(uscc);
    if (!face || domain::to_string(face->status) != "active") continue;
    DemoWallet d{w.value("holder", ""), w.value("enterprise", ""), (sandbox / w.value("path", "")).string(),
                 w.value("password", "")};
    if (app.scope != "province" || uscc.substr(2, 2) == app.province) return d;
    if (!fallback) fallback = d;
  }
  return fallback;
}

nlohmann::json page_state(const SignTask& t) {
  return {{"status", t.status}, {"label", sign_status_label(t.status)}, {"signed", t.status == "signed"},
          {"document_url", "/demo/sign/" + t.id + "/document"}};
}

const char* const kStyle = R"(<style>
.sign { max-width: 640px; margin: 0 auto; }
.sign .qr { text-align: center; }
.sign .qr img { width: 264px; height: 264px; image-rendering: pixelated; }
.sign .qr.faded img { opacity: .15; }
.sign .status { font-size: 1.05rem; margin: 1rem 0; text-align: center; }
.sign .status[data-status=signed] { color: #1a7f37; }
.sign .status[data-status=expired], .sign .status[data-status=rejected] { color: #b42318; }
.sign pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .75rem; white-space: pre-wrap; word-break: break-all; }
.sign .download[hidden] { display: none; }
dl.doc { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.doc dt { color: #555; }
</style>)";

const char* const kScript = R"(
(function () {
  var root = document.getElementById('sign');
  var id = root.getAttribute('data-id');
  var last = root.getAttribute('data-status');
  function show(state) {
    var status = document.getElementById('status');
    status.textContent = state.label;
    status.setAttribute('data-status', state.status);
    if (state.signed) document.getElementById('download').hidden = false;
    if (state.status !== 'pending' && state.status !== 'scanned' && state.status !== 'partially_signed')
      document.getElementById('qr').className = 'qr faded';
  }
  function poll() {
    fetch('/demo/sign/' + encodeURIComponent(id) + '/state?wait=25&last=' + encodeURIComponent(last))
      .then(function (r) { return r.json(); })
      .then(function (state) {
        show(state);
        last = state.status;
        if (state.status === 'pending' || state.status === 'scanned' || state.status === 'partially_signed') poll();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (last === 'pending' || last === 'scanned' || last === 'partially_signed') poll();
})();
)";

}  // namespace

void DemoSign::handle(http::Exchange& ex) {
  const auto sandbox = sandbox_or_404(*ctx_);
  store::ApplicationRepository apps(*ctx_->db);
  // The tax bureau's demo application first (its extensions add no seal for a
  // task without a matter), then any other approved for e-signature.
  auto candidates = apps.list();
  std::stable_partition(candidates.begin(), candidates.end(), [](const store::Application& a) { return a.department == "tax"; });
  for (const auto& app : candidates) {
    if (app.status != store::ApplicationStatus::Active) continue;
    if (std::find(app.needs.begin(), app.needs.end(), "signature") == app.needs.end()) continue;
    const auto wallet = demo_wallet(*ctx_, sandbox, app);
    SignTaskRequest r;
    r.document_kind = "pdf";
    r.document_name = "技术服务合同（沙箱示例）.pdf";
    r.seal_mode = "any_of";
    r.seal_types = {"contract", "company"};
    r.placement = pdf::Placement{2, 60, 32, 42, 42};
    r.correlation_id = kDemoTag;
    r.ttl = std::chrono::seconds(600);
    const Bytes contract = sample_contract_pdf(wallet ? wallet->enterprise : "（扫码签章的企业）", app.name);
    SignService service(ctx_);
    const auto t = service.create(app, r, contract);
    ex.response().set("Location", "/demo/sign/" + t.id);
    ex.response().set("Cache-Control", "no-store");
    ex.send_text(303, "text/plain; charset=utf-8", "See /demo/sign/" + t.id + "\n");
    return;
  }
  throw http::ApiError::not_found("no sandbox application has the signature need");
}

void DemoSignPage::handle(http::Exchange& ex) {
  const auto sandbox = sandbox_or_404(*ctx_);
  SignService service(ctx_);
  const auto t = demo_task(service, ex.param("id"));
  store::ApplicationRepository apps(*ctx_->db);
  const auto app = apps.find(t.client_id);
  const auto wallet = app ? demo_wallet(*ctx_, sandbox, *app) : std::nullopt;
  // One command per seal still to sign: every required type, plus the first any-of type.
  std::vector<std::string> seals_to_sign = t.request.required_types;
  if (t.request.seal_mode == "any_of" && !t.request.seal_types.empty()) seals_to_sign.push_back(t.request.seal_types.front());
  else if (t.request.seal_mode == "all_of") seals_to_sign.insert(seals_to_sign.end(), t.request.seal_types.begin(), t.request.seal_types.end());
  std::string command;
  for (const auto& type : seals_to_sign)
    command += (command.empty() ? "" : "\n") + std::string("zhaoyin-wallet --wallet ") +
               (wallet ? wallet->path : std::string("WALLET.json")) + " --password " +
               (wallet ? wallet->password : std::string("PASSWORD")) + " scan '" + t.qr_text + "' --approve --seal " + type;
  std::string body = "<section class=\"card sign\" id=\"sign\" data-id=\"" + escape_html(t.id) + "\" data-status=\"" +
                     escape_html(t.status) + "\">\n";
  body += "<h1>电子签章演示 <small>E-seal signing demo</small></h1>\n";
  body += "<dl class=\"doc\">\n<dt>依赖方 Relying party</dt><dd>" + escape_html(app ? app->name : t.client_id) + "</dd>\n";
  body += "<dt>文件 Document</dt><dd>" + escape_html(t.request.document_name) + " (" + std::to_string(t.request.pages) +
          " 页 pages)</dd>\n";
  body += "<dt>SM3</dt><dd><code>" + escape_html(t.request.document_sm3) + "</code></dd>\n";
  std::string accepted;
  for (const auto& type : t.request.seal_types) accepted += (accepted.empty() ? "" : " / ") + seal_type_label(type) + " " + type;
  body += "<dt>可用印章 Seals accepted</dt><dd>" + escape_html(accepted) + " (" + escape_html(t.request.seal_mode) + ")</dd>\n";
  if (!t.request.required_types.empty()) {
    std::string required;
    for (const auto& type : t.request.required_types) required += (required.empty() ? "" : " / ") + seal_type_label(type) + " " + type;
    body += "<dt>另需印章 Also required</dt><dd>" + escape_html(required) + "</dd>\n";
  }
  body += "</dl>\n";
  body += "<p><a href=\"/demo/sample-contract.pdf\">查看待签合同 View the unsigned contract</a></p>\n";
  body += "<div class=\"qr\" id=\"qr\"><img alt=\"QR code\" src=\"/api/v1/sign-tasks/" + escape_html(t.id) + "/qr.png\"></div>\n";
  body += "<p class=\"status\" id=\"status\" data-status=\"" + escape_html(t.status) + "\">" + escape_html(sign_status_label(t.status)) + "</p>\n";
  body += "<p class=\"download\" id=\"download\"" + std::string(t.status == "signed" ? "" : " hidden") +
          "><a class=\"button\" href=\"/demo/sign/" + escape_html(t.id) + "/document\">下载已签章合同 Download the signed contract</a></p>\n";
  body += "<h2>用钱包模拟器签章 Sign with the wallet simulator</h2>\n";
  if (wallet)
    body += "<p>沙箱持照人 Sandbox holder: " + escape_html(wallet->holder) + "（" + escape_html(wallet->enterprise) + "）</p>\n";
  body += "<pre id=\"command\">" + escape_html(command) + "</pre>\n";
  body += "<p class=\"notice\">仅供演示 Demo only: a relying party creates tasks with <code>POST /api/v1/sign-tasks</code> "
          "and downloads the result from <code>GET /api/v1/sign-tasks/{id}/document</code>.</p>\n</section>\n";
  http::PageOptions options;
  options.title = "电子签章演示 E-seal signing demo";
  options.head_extra = kStyle;
  options.script = kScript;
  options.sandbox = true;
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, 200, options, body);
}

void DemoSignState::handle(http::Exchange& ex) {
  sandbox_or_404(*ctx_);
  SignService service(ctx_);
  auto t = demo_task(service, ex.param("id"));
  const auto wait = wait_seconds(ex);
  const auto last = ex.query("last");
  if (wait.count() > 0 && last && *last == t.status)
    if (auto changed = service.wait_for_change(t.id, *last, std::chrono::steady_clock::now() + wait)) t = *changed;
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, page_state(t));
}

void DemoSignDocument::handle(http::Exchange& ex) {
  sandbox_or_404(*ctx_);
  SignService service(ctx_);
  const auto t = demo_task(service, ex.param("id"));
  const auto d = service.document(t, std::nullopt);
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Content-Disposition", "attachment; filename=\"signed-contract.pdf\"");
  ex.send_text(200, d.content_type, std::string_view(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()));
}

void DemoSampleContract::handle(http::Exchange& ex) {
  sandbox_or_404(*ctx_);
  const auto pdf = sample_contract_pdf("（扫码签章的企业）", "（依赖方）");
  ex.response().set("Content-Disposition", "inline; filename=\"sample-contract.pdf\"");
  ex.send_text(200, "application/pdf", std::string_view(reinterpret_cast<const char*>(pdf.data()), pdf.size()));
}

}  // namespace zhaoyin::signing
