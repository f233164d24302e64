// A relying party's portal in miniature, the deployment the README describes:
// its server holds the client credentials, creates login sessions and sign
// tasks, relays their SSE streams (adding its bearer token, passing on only
// what the widget needs), proxies the host's few public widget endpoints
// under its own origin (/zhaoyin/...), so the page needs no CORS from the host,
// and receives the host's signed callbacks, checked with verifyWebhook.
// It serves the widget's ES modules straight from src/ (no bundler).
// Listens on 127.0.0.1 only; the test stops it.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { verifyWebhook } from '../../src/webhook.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

// The host endpoints a browser may reach through the proxy: all public, the
// id being the capability. Everything else on the host stays unreachable.
const PUBLIC_HOST_PATHS = [
  /^\/login\/[A-Za-z0-9_-]+\/state$/,
  /^\/login\/[A-Za-z0-9_-]+\/renew$/,
  /^\/sign\/[A-Za-z0-9_-]+\/state$/,
  /^\/api\/v1\/(login-sessions|sign-tasks)\/[A-Za-z0-9_-]+\/qr\.svg$/,
];

// The fields of a session or task the widget uses; the verified subject,
// signatures and the rest stay on the server.
const RELAYED_FIELDS = ['id', 'status', 'at', 'expires_at', 'qr_text', 'seals', 'return_url'];

const PAGE = `<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>RP portal</title>
<link rel="stylesheet" href="/sdk/widget.css"></head>
<body>
<h1>某某办事大厅 · RP portal</h1>
<div id="widget"></div>
<p id="outcome"></p>
<script type="module">
import { mountLogin, mountSignTask } from '/sdk/widget.js';
const q = new URLSearchParams(location.search);
window.zhaoyinEvents = [];
for (const t of ['status', 'result', 'renewed', 'error'])
  document.addEventListener('zhaoyin:' + t, (e) => window.zhaoyinEvents.push({ type: t, detail: e.detail }));
const post = (url, body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
const outcome = document.getElementById('outcome');
if (q.get('flow') === 'sign') {
  const t = await post('/rp/sign-tasks', {});
  mountSignTask(document.getElementById('widget'), {
    taskId: t.id, expiresAt: t.expires_at, hostUrl: '/zhaoyin', eventsUrl: '/rp/sign-tasks/{id}/events',
    onResult: (r) => { outcome.textContent = r.status; outcome.dataset.status = r.status; },
  });
} else {
  const s = await post('/rp/login-sessions', { ttl: Number(q.get('ttl') || 120) });
  mountLogin(document.getElementById('widget'), {
    sessionId: s.id, pageToken: q.has('no_page_token') ? undefined : s.page_token, expiresAt: s.expires_at,
    hostUrl: '/zhaoyin', eventsUrl: '/rp/login-sessions/{id}/events', autoRenew: q.has('auto_renew'),
    onResult: async (r) => {
      if (r.status !== 'confirmed') { outcome.textContent = r.status; return; }
      const who = await fetch('/rp/login-sessions/' + r.sessionId + '/result').then((x) => x.json());
      outcome.textContent = who.enterprise;
      outcome.dataset.status = r.status;
    },
  });
}
</script>
</body></html>
`;

export async function startRpServer({ hostUrl, clientId, clientSecret }) {
  const seen = [];  // every request the page made, for the test's assertions
  const callbacks = [];  // verified callbacks: {event, id, status}
  const refusedCallbacks = [];  // verifyWebhook's refusals: their codes
  const hookUrl = () => origin + '/hooks/zhaoyin';
  const tokens = new Map();
  let origin = '';

  async function token(scope) {
    const cached = tokens.get(scope);
    if (cached && cached.until > Date.now()) return cached.token;
    const r = await fetch(hostUrl + '/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }),
    });
    if (!r.ok) throw new Error('token: ' + r.status + ' ' + (await r.text()));
    const t = await r.json();
    tokens.set(scope, { token: t.access_token, until: Date.now() + (t.expires_in - 60) * 1000 });
    return t.access_token;
  }

  async function api(scope, method, p, body) {
    const r = await fetch(hostUrl + p, {
      method,
      headers: { Authorization: 'Bearer ' + (await token(scope)), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  }

  function sendJson(res, status, value) {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(value));
  }

  async function readJson(req) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  }

  // Reads the host's stream and writes each `status` event on, reduced to
  // RELAYED_FIELDS. Stops reading when the browser goes away.
  async function relayEvents(req, res, scope, apiPath) {
    const upstream = new AbortController();
    req.on('close', () => upstream.abort());
    let r;
    try {
      r = await fetch(hostUrl + apiPath, { headers: { Authorization: 'Bearer ' + (await token(scope)), Accept: 'text/event-stream' },
        signal: upstream.signal });
    } catch (e) {
      res.writeHead(502).end();
      return;
    }
    if (!r.ok) {
      res.writeHead(r.status === 404 ? 404 : 502).end();
      return;
    }
    // X-Accel-Buffering: a buffering proxy in front (nginx) would hold the events back.
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of r.body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const lines = block.split('\n');
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          const event = (lines.find((l) => l.startsWith('event:')) || '').slice(6).trim();
          if (event !== 'status' || !data) { res.write(': keep-alive\n\n'); continue; }
          const full = JSON.parse(data);
          const reduced = Object.fromEntries(RELAYED_FIELDS.filter((k) => k in full).map((k) => [k, full[k]]));
          res.write('event: status\ndata: ' + JSON.stringify(reduced) + '\n\n');
        }
      }
    } catch (e) {
      // the browser left, or the host went away: the widget falls back to polling
    }
    res.end();
  }

  // Passes one public request on to the host, under the portal's origin.
  async function proxy(req, res, hostPath, search) {
    const headers = {};
    if (req.headers['x-login-page-token']) headers['X-Login-Page-Token'] = req.headers['x-login-page-token'];
    const r = await fetch(hostUrl + hostPath + search, { method: req.method, headers, redirect: 'manual' });
    const out = { 'Cache-Control': 'no-store' };
    for (const h of ['content-type', 'retry-after']) if (r.headers.get(h)) out[h] = r.headers.get(h);
    res.writeHead(r.status, out);
    res.end(Buffer.from(await r.arrayBuffer()));
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://rp.invalid');
    const p = url.pathname;
    seen.push(req.method + ' ' + p);
    try {
      let m;
      if (req.method === 'GET' && p === '/') return res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
      if (req.method === 'GET' && (m = /^\/sdk\/([a-z]+)\.(js|css)$/.exec(p))) {
        const file = await readFile(path.join(SRC, m[1] + '.' + m[2]));
        const type = m[2] === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8';
        return res.writeHead(200, { 'Content-Type': type }).end(file);
      }
      if (req.method === 'POST' && p === '/rp/login-sessions') {
        const { ttl } = await readJson(req);
        const s = await api('login', 'POST', '/api/v1/login-sessions', { ttl, callback_url: hookUrl() });
        // The page gets the id and the page token from page_url's fragment, nothing else.
        const pageToken = new URLSearchParams(s.page_url.split('#')[1] || '').get('page_token');
        return sendJson(res, 200, { id: s.id, page_token: pageToken, expires_at: s.expires_at });
      }
      if (req.method === 'GET' && (m = /^\/rp\/login-sessions\/([A-Za-z0-9_-]+)\/events$/.exec(p))) {
        return await relayEvents(req, res, 'login', `/api/v1/login-sessions/${m[1]}/events`);
      }
      if (req.method === 'GET' && (m = /^\/rp\/login-sessions\/([A-Za-z0-9_-]+)\/result$/.exec(p))) {
        // The server reads the verified subject itself: the page's word is not proof.
        const s = await api('login', 'GET', `/api/v1/login-sessions/${m[1]}`);
        if (s.status !== 'confirmed') return sendJson(res, 409, { status: s.status });
        return sendJson(res, 200, { status: s.status, enterprise: s.subject.face_info.name, holder: s.subject.holder.name });
      }
      if (req.method === 'POST' && p === '/rp/sign-tasks') {
        const t = await api('signature', 'POST', '/api/v1/sign-tasks', {
          document: { name: '申请书.txt', data: Buffer.from('申请书 · widget test').toString('base64') },
          seals: { types: ['company'] },
          callback_url: hookUrl(),
        });
        return sendJson(res, 200, { id: t.id, expires_at: t.expires_at });
      }
      if (req.method === 'GET' && (m = /^\/rp\/sign-tasks\/([A-Za-z0-9_-]+)\/events$/.exec(p))) {
        return await relayEvents(req, res, 'signature', `/api/v1/sign-tasks/${m[1]}/events`);
      }
      if (req.method === 'POST' && p === '/hooks/zhaoyin') {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        try {
          const payload = verifyWebhook({ secret: clientSecret, headers: req.headers, body: Buffer.concat(chunks) });
          const subject = payload.session || payload.task;
          callbacks.push({ event: payload.event, id: subject.id, status: subject.status });
          return res.writeHead(204).end();
        } catch (e) {
          refusedCallbacks.push(e.code || String(e));
          return res.writeHead(400).end();
        }
      }
      if (p.startsWith('/zhaoyin/')) {
        const hostPath = p.slice('/zhaoyin'.length);
        if (PUBLIC_HOST_PATHS.some((re) => re.test(hostPath)) && (req.method === 'GET' || hostPath.endsWith('/renew'))) {
          return await proxy(req, res, hostPath, url.search);
        }
      }
      sendJson(res, 404, { error: 'not_found' });
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: String(e.message || e) });
      else res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    seen,
    callbacks,
    refusedCallbacks,
    token,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
