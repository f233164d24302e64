// /counter: the counter staff page (线下出示执照). Staff sign the page in once
// with their application's credentials (kept in sessionStorage only); a
// scanner gun types the presentation code and Enter into the focused field;
// the page calls POST /api/v1/presentations with the bearer token like any
// relying party would, shows a result card and is ready for the next scan.
#include <zhaoyin/http/html.h>
#include "archive_view.h"
#include "handlers.h"

namespace zhaoyin::presentation {

namespace {

constexpr std::string_view kCounterCss = R"css(<style>
#scan { font-size:1.4rem; padding:.8rem; letter-spacing:.05em; }
#result .verdict { font-size:1.3rem; margin-bottom:.8rem; }
#result dl.fields { font-size:1.05rem; }
.row { display:flex; gap:.8rem; align-items:end; flex-wrap:wrap; }
.row label { flex:1 1 14rem; }
.links button { background:#445; margin-right:.5rem; }
.hidden { display:none; }
</style>)css";

constexpr std::string_view kCounterBody = R"html(
<h1>柜台核验 Counter verification <span class="muted">· 线下出示执照</span></h1>
<section id="signin" class="card">
  <p class="muted">本机首次使用请输入接入应用凭据 (application credentials; kept for this browser tab only).</p>
  <form id="signin-form" class="row">
    <label>Client ID<input type="text" id="client-id" autocomplete="off" required></label>
    <label>Client secret<input type="password" id="client-secret" autocomplete="off" required></label>
    <button type="submit">登录 Sign in</button>
  </form>
  <p id="signin-error" class="bad"></p>
</section>
<section id="counter" class="card hidden">
  <form id="scan-form">
    <label for="scan">扫描出示码 Scan the presentation code</label>
    <input type="text" id="scan" autocomplete="off" autocapitalize="characters" spellcheck="false">
    <label for="matter" class="muted">办理事项 Matter (optional)</label>
    <input type="text" id="matter" autocomplete="off" placeholder="电子政务/税务/发票申领">
    <label class="muted"><input type="checkbox" id="include-permits"> 显示关联证照 Show associated permits</label>
  </form>
  <p class="muted">已登录 <span id="signed-in-as"></span> · <a href="#" id="signout">退出 Sign out</a></p>
</section>
<section id="result" class="card hidden" aria-live="polite"></section>
)html";

constexpr std::string_view kCounterScript = R"js(
(function () {
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  let token = null;

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, (c) =>
      ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]);
  }

  async function fetchToken() {
    const body = new URLSearchParams({grant_type: 'client_credentials', scope: 'presentation',
      client_id: store.getItem('zy.client_id') || '', client_secret: store.getItem('zy.client_secret') || ''});
    const r = await fetch('/oauth/token', {method: 'POST', body});
    const j = await r.json();
    if (!r.ok) throw new Error((j.error && (j.error.code + ': ' + j.error.message)) || 'token request failed');
    token = j.access_token;
  }

  async function api(method, path, json) {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!token) await fetchToken();
      const r = await fetch(path, {method, headers: Object.assign({Authorization: 'Bearer ' + token},
        json ? {'Content-Type': 'application/json'} : {}), body: json ? JSON.stringify(json) : undefined});
      if (r.status === 401 && attempt === 0) { token = null; continue; }
      return r;
    }
  }

  function showCounter() {
    $('signin').classList.add('hidden');
    $('counter').classList.remove('hidden');
    $('signed-in-as').textContent = store.getItem('zy.client_id');
    $('scan').focus();
  }

  function field(label, value) { return '<dt>' + esc(label) + '</dt><dd>' + esc(value) + '</dd>'; }

  function renderAccepted(j) {
    const f = j.face_info || {}, h = j.holder || {}, labels = f.labels || {};
    $('result').innerHTML =
      '<div class="verdict ok" data-verdict="accepted">✔ 核验通过 Verified</div>' +
      '<dl class="fields">' +
      field('企业名称', f.name) + field('统一社会信用代码', f.uscc) +
      field(labels.legal_representative || '法定代表人', f.legal_representative) +
      field('出示人', h.name + '（' + (h.role_label || h.role) + '）') +
      field('登记状态', f.status_label) + field('类型', f.type) +
      field('核验时间', j.verified_at) + '</dl>' +
      permitsHtml(j.permits) +
      '<p class="links"><button type="button" data-open="/api/v1/archives/' + esc(j.archive_id) + '">存档 Archive JSON</button>' +
      '<button type="button" data-open="/api/v1/archives/' + esc(j.archive_id) + '.pdf">打印 Print PDF</button></p>';
  }

  // The enterprise's associated permits (关联证照), when asked for; a revoked
  // or expired one is marked so, never shown as in force.
  function permitsHtml(permits) {
    if (!Array.isArray(permits)) return '';
    if (permits.length === 0) return '<p class="muted" id="permits">无关联证照 No associated permits</p>';
    const label = {valid: '有效', revoked: '已撤销 Revoked', expired: '已过期 Expired'};
    return '<h2>关联证照 Associated permits</h2><ul id="permits">' + permits.map((p) =>
      '<li data-permit="' + esc(p.number) + '" data-permit-status="' + esc(p.status) + '" class="' +
      (p.status === 'valid' ? 'ok' : 'bad') + '">' + esc(p.kind) + ' ' + esc(p.number) + ' · ' + esc(p.issuer) +
      ' · ' + esc(p.valid_from) + '–' + esc(p.valid_to) + ' · <strong>' + esc(label[p.status] || p.status) +
      '</strong></li>').join('') + '</ul>';
  }

  function renderRefused(status, j) {
    const e = (j && j.error) || {code: 'http_' + status, message: 'unexpected answer'};
    $('result').innerHTML =
      '<div class="verdict bad" data-verdict="refused">✘ 核验未通过 Refused</div>' +
      '<dl class="fields">' + field('原因 Reason', e.message) + field('代码 Code', e.code) + '</dl>';
    $('result').dataset.code = e.code;
  }

  async function verify(code) {
    $('result').classList.remove('hidden');
    $('result').innerHTML = '<p class="muted">核验中… Verifying</p>';
    delete $('result').dataset.code;
    const matter = $('matter').value.trim();
    try {
      const request = matter ? {code, matter} : {code};
      if ($('include-permits').checked) request.include_permits = true;
      const r = await api('POST', '/api/v1/presentations', request);
      const j = await r.json().catch(() => null);
      if (r.ok) renderAccepted(j); else renderRefused(r.status, j);
    } catch (err) {
      renderRefused(0, {error: {code: 'network_error', message: String(err.message || err)}});
    }
  }

  $('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    store.setItem('zy.client_id', $('client-id').value.trim());
    store.setItem('zy.client_secret', $('client-secret').value);
    try { await fetchToken(); showCounter(); } catch (err) { $('signin-error').textContent = err.message; }
  });

  // Enter ends a scan. (The form has two fields and no submit button, so the
  // browser would not submit it implicitly: listen for the key itself.)
  function scanned() {
    const code = $('scan').value.trim();
    $('scan').value = '';
    $('scan').focus();
    if (code) verify(code);
  }
  $('scan-form').addEventListener('submit', (ev) => { ev.preventDefault(); scanned(); });
  $('scan').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); scanned(); }
  });

  // Keep the scan field focused: a scanner gun types wherever the focus is.
  document.addEventListener('click', (ev) => {
    if (!$('counter').classList.contains('hidden') && !ev.target.closest('input,button,a')) $('scan').focus();
  });

  $('result').addEventListener('click', async (ev) => {
    const path = ev.target.dataset && ev.target.dataset.open;
    if (!path) return;
    const r = await api('GET', path);
    const blob = await r.blob();
    window.open(URL.createObjectURL(blob), '_blank');
    $('scan').focus();
  });

  $('signout').addEventListener('click', (ev) => {
    ev.preventDefault();
    store.removeItem('zy.client_id');
    store.removeItem('zy.client_secret');
    token = null;
    location.reload();
  });

  if (store.getItem('zy.client_id')) showCounter(); else $('client-id').focus();
})();
)js";

}  // namespace

void CounterPage::handle(http::Exchange& ex) {
  http::PageOptions page;
  page.title = "柜台核验 · 照印";
  page.sandbox = sandbox_authority(*ctx_);
  page.head_extra = std::string(kCounterCss);
  page.script = std::string(kCounterScript);
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, 200, page, kCounterBody);
}

}  // namespace zhaoyin::presentation
