// The hosted signing page (/sign/{id}) and its public state endpoint: what a
// relying party sends the enterprise's staff to when it has no page of its
// own, in the ten steps of the Honghu manual (电子签章): the task's QR code,
// what is to be signed and with which seals, what to do in the app, the live
// status, and — once every seal is on the document — back to the relying
// party's return_url (registered, exact: redirect_target.h).
//
// Public like the login page: the 128-bit task id is the capability. The page
// and its state never carry signatures, the document or who signed: those are
// the relying party's, through its API.
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/sandbox_demo.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/store/application_repository.h>

#include "api_handlers.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

using http::escape_html;

SignTask task_or_404(SignService& service, const std::string& id) {
  auto t = service.find(id);
  if (!t) throw http::ApiError::not_found("no sign task " + id);
  return *t;
}

bool open_status(const std::string& s) { return s == "pending" || s == "scanned" || s == "partially_signed"; }

nlohmann::json page_state(const SignTask& t) {
  nlohmann::json due = nlohmann::json::array();
  if (open_status(t.status))
    for (const auto& type : t.types_due()) due.push_back(seal_type_label(type));
  return {{"status", t.status},
          {"label", sign_status_label(t.status)},
          {"seals_due", due},
          {"expires_at", protocol::rfc3339(t.expires_at)},
          // Only once signed: the page must not leave before the document is.
          {"return_url", t.status == "signed" && t.request.return_url ? nlohmann::json(*t.request.return_url)
                                                                        : nlohmann::json(nullptr)}};
}

const char* const kStyle = R"(<style>
.sign { max-width: 560px; margin: 0 auto; }
.sign .rp { font-size: 1.1rem; font-weight: 600; margin: .2rem 0; }
.sign .qr { text-align: center; margin: 0; }
.sign .qr img { width: 264px; height: 264px; image-rendering: pixelated; }
.sign .qr.faded img { opacity: .15; }
.sign .status { font-size: 1.05rem; margin: 1rem 0; text-align: center; }
.sign .status[data-status=signed] { color: #1a7f37; }
.sign .status[data-status=expired], .sign .status[data-status=rejected], .sign .status[data-status=cancelled] { color: #b42318; }
.sign ol.steps { color: #333; padding-left: 1.4rem; }
.sign [hidden] { display: none; }
dl.doc { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.doc dt { color: #555; }
</style>)";

// Long-polls /sign/{id}/state and follows the task; no framework.
const char* const kScript = R"(
(function () {
  var root = document.getElementById('sign');
  var id = root.getAttribute('data-task');
  var statusEl = document.getElementById('status');
  var dueEl = document.getElementById('seals-due');
  var last = statusEl.getAttribute('data-status');
  function open(s) { return s === 'pending' || s === 'scanned' || s === 'partially_signed'; }
  function show(state) {
    last = state.status;
    statusEl.textContent = state.label;
    statusEl.setAttribute('data-status', state.status);
    dueEl.textContent = state.seals_due.join('、');
    if (!open(state.status)) document.getElementById('qr').className = 'qr faded';
    if (state.status === 'signed' && state.return_url) window.location.assign(state.return_url);
    return !open(state.status);
  }
  function poll() {
    fetch('/sign/' + encodeURIComponent(id) + '/state?wait=25&last=' + encodeURIComponent(last), {cache: 'no-store'})
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (state) { if (!show(state)) poll(); })
      .catch(function () { setTimeout(poll, 2000); });
  }
  if (open(last)) poll();
})();
)";

}  // namespace

void SignPage::handle(http::Exchange& ex) {
  SignService service(ctx_);
  const auto t = task_or_404(service, ex.param("id"));
  const auto app = store::ApplicationRepository(*ctx_->db).find(t.client_id);
  const auto state = page_state(t);
  std::string due;
  for (const auto& label : state["seals_due"]) due += (due.empty() ? "" : "、") + label.get<std::string>();
  const std::string id = escape_html(t.id);
  std::string body;
  body += "<section class=\"card sign\" id=\"sign\" data-task=\"" + id + "\">\n";
  body += "<h1>扫码签章 <small>Sign with your e-seal</small></h1>\n";
  body += "<p class=\"rp\">" + escape_html(app ? app->name : t.client_id) + "</p>\n";
  body += "<dl class=\"doc\">\n";
  body += "<dt>文件 Document</dt><dd id=\"document-name\">" + escape_html(t.request.document_name) + "</dd>\n";
  if (t.request.document_kind != "data")  // pdf, ofd
    body += "<dt>页数 Pages</dt><dd>" + std::to_string(t.request.pages) + "</dd>\n";
  body += "<dt>SM3</dt><dd><code>" + escape_html(t.request.document_sm3) + "</code></dd>\n";
  body += "<dt>待盖印章 Seals due</dt><dd id=\"seals-due\">" + escape_html(due) + "</dd>\n";
  if (t.request.matter) body += "<dt>办理事项 Matter</dt><dd>" + escape_html(*t.request.matter) + "</dd>\n";
  body += "</dl>\n";
  body += "<figure class=\"qr" + std::string(open_status(t.status) ? "" : " faded") + "\" id=\"qr\"><img src=\"/api/v1/sign-tasks/" +
          id + "/qr.svg\" alt=\"签章二维码 signing QR code\" width=\"264\" height=\"264\"></figure>\n";
  body += "<p class=\"status\" id=\"status\" data-status=\"" + escape_html(t.status) + "\">" +
          escape_html(sign_status_label(t.status)) + "</p>\n";
  body += "<ol class=\"steps\">\n"
          "<li>打开电子营业执照应用，用“扫一扫”扫描上方二维码 · Open the license app and scan the code</li>\n"
          "<li>核对发起方、文件名称与 SM3 摘要 · Check the relying party, the document and its SM3</li>\n"
          "<li>选择要加盖的印章（仅显示您获授权使用的印章）· Choose the seal (only seals you may use are offered)</li>\n"
          "<li>输入执照密码确认签章 · Confirm with your license password</li>\n"
          "<li>本页自动更新；全部印章加盖后返回业务系统 · This page follows along and returns when every seal is on</li>\n"
          "</ol>\n";
  body += "<p class=\"hint\">有效期至 Valid until " + escape_html(protocol::rfc3339(t.expires_at)) + "</p>\n";
  body += "</section>\n";
  http::PageOptions options{"扫码签章 · Sign", kStyle, kScript, http::sandbox_demo(*ctx_), {}};
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, 200, options, body);
}

void SignPageState::handle(http::Exchange& ex) {
  SignService service(ctx_);
  auto t = task_or_404(service, ex.param("id"));
  const auto wait = wait_seconds(ex);
  const auto last = ex.query("last");
  if (wait.count() > 0 && last && *last == t.status)
    if (auto changed = service.wait_for_change(t.id, *last, std::chrono::steady_clock::now() + wait)) t = *changed;
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, page_state(t));
}

}  // namespace zhaoyin::signing
