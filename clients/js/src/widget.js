// The relying party's embeddable equivalent of the host's hosted pages
// (/login/{id}, /sign/{id}): shows the QR code, follows the session or task
// (follow.js), shows the time left, renews an expired login with the page
// token, and reports to the page through callbacks and DOM events.
//
// It never creates anything and never sees the application's credentials: the
// relying party's server creates the session or task with its bearer token and
// hands the page only the id (and, for a login, the page token from the
// fragment of `page_url`). Everything it calls on the host is public
// (docs/api/login.md, docs/api/signing.md): the QR image, `…/state`, and the
// renewal with the page token.
import { follow } from './follow.js';

const LOGIN_LABELS = {
  pending: '请使用电子营业执照扫描二维码 · Scan with your license wallet',
  scanned: '已扫码，请在手机上确认 · Confirm on your phone',
  confirmed: '登录成功 · Signed in',
  rejected: '已在手机上拒绝 · Rejected on the phone',
  expired: '二维码已过期 · The QR code has expired',
  cancelled: '已取消 · Cancelled',
};
const SIGN_LABELS = {
  pending: '请使用电子营业执照扫描二维码签章 · Scan with your license wallet to sign',
  scanned: '已扫码，请在手机上选择印章并签署 · Pick the seal and sign on your phone',
  partially_signed: '已部分签章，请继续 · Partly signed, more seals are due',
  signed: '签章完成 · Signed',
  rejected: '已在手机上拒绝 · Rejected on the phone',
  expired: '签章任务已过期 · The sign task has expired',
  cancelled: '已取消 · Cancelled',
};
const SEAL_TYPE_LABELS = {
  company: '法定名称章', finance: '财务专用章', contract: '合同专用章', invoice: '发票专用章', legal_rep: '法定代表人章',
};
const LOGIN_FINAL = ['confirmed', 'rejected', 'expired', 'cancelled'];
const SIGN_FINAL = ['signed', 'rejected', 'expired', 'cancelled'];
const RENEW_LABEL = '新二维码 · New QR code';

// '' (the page's own origin), '/zhaoyin' (a prefix the relying party proxies
// to the host) or 'https://host' — without a trailing slash.
function base(hostUrl) {
  return (hostUrl || '').replace(/\/+$/, '');
}

// `eventsUrl` may be a function of the id or a string with `{id}`: a renewed
// login has a new id, and the relay must be asked about that one.
function eventsUrlFor(eventsUrl, id) {
  if (!eventsUrl) return null;
  if (typeof eventsUrl === 'function') return eventsUrl(id);
  return String(eventsUrl).split('{id}').join(encodeURIComponent(id));
}

function secondsLeft(expiresAt) {
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.round((t - Date.now()) / 1000));
}

function el(doc, tag, className, attrs) {
  const e = doc.createElement(tag);
  if (className) e.className = className;
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

// The shared view: QR image, status line, time left, optional extra line and
// a renew button. Each flow fills in its own details.
class Widget {
  constructor(element, options, kind) {
    if (!element || typeof element.appendChild !== 'function') throw new TypeError('zhaoyin: an element to mount in is required');
    this.element = element;
    this.options = options;
    this.kind = kind;
    this.follower = null;
    this.ticker = null;
    this.status = '';
    this.expiresAt = options.expiresAt || null;
    const doc = element.ownerDocument;
    this.root = el(doc, 'div', 'zhaoyin-widget zhaoyin-' + kind, { 'data-status': '' });
    this.qr = el(doc, 'img', 'zhaoyin-qr', { alt: '二维码 · QR code', width: '240', height: '240' });
    this.statusLine = el(doc, 'p', 'zhaoyin-status', { role: 'status', 'aria-live': 'polite' });
    this.expiry = el(doc, 'p', 'zhaoyin-expiry');
    this.detail = el(doc, 'p', 'zhaoyin-detail');
    this.detail.hidden = true;
    this.renewButton = el(doc, 'button', 'zhaoyin-renew', { type: 'button' });
    this.renewButton.textContent = RENEW_LABEL;
    this.renewButton.hidden = true;
    this.root.append(this.qr, this.statusLine, this.expiry, this.detail, this.renewButton);
    element.appendChild(this.root);
  }

  emit(name, detail, callback) {
    if (typeof callback === 'function') {
      try { callback(detail); } catch (e) { setTimeout(() => { throw e; }); }  // the page's bug, not ours: report it, go on
    }
    this.element.dispatchEvent(new CustomEvent('zhaoyin:' + name, { detail, bubbles: true }));
  }

  start(id) {
    this.id = id;
    this.root.setAttribute('data-id', id);
    this.qr.src = this.qrUrl(id);
    this.status = '';
    this.tick();
    if (!this.ticker) this.ticker = setInterval(() => this.tick(), 1000);
    this.follower = follow({
      eventsUrl: eventsUrlFor(this.options.eventsUrl, id),
      stateUrl: this.stateUrl(id),
      waitSeconds: this.options.waitSeconds,
      isFinal: (s) => this.finalStatuses.includes(s),
      onTransport: (t) => {
        this.transport = t;
        this.root.setAttribute('data-transport', t);
      },
      onState: (state, transport) => this.show(state, transport),
      onError: (e) => this.fail(e),
    });
  }

  tick() {
    const open = this.status === '' || !this.finalStatuses.includes(this.status);
    const left = open && this.expiresAt ? secondsLeft(this.expiresAt) : null;
    this.expiry.hidden = left === null;
    if (left !== null) this.expiry.textContent = left > 0 ? `${left} 秒后过期 · expires in ${left} s` : '即将过期 · expiring';
  }

  show(state, transport) {
    this.status = state.status;
    if (state.expires_at) this.expiresAt = state.expires_at;
    if (state.qr_text) this.root.setAttribute('data-qr-text', state.qr_text);
    this.root.setAttribute('data-status', state.status);
    this.statusLine.textContent = (this.options.labels && this.options.labels[state.status]) || this.labels[state.status] || state.label || state.status;
    const final = this.finalStatuses.includes(state.status);
    this.root.classList.toggle('zhaoyin-final', final);
    if (final) this.stopTicker();
    this.tick();
    this.update(state);
    this.emit('status', this.describe(state, transport), this.options.onStatus);
    if (final) this.finish(state);
  }

  fail(error) {
    this.root.setAttribute('data-status', 'error');
    this.statusLine.textContent = '出错了 · Something went wrong' + (error.code ? ` (${error.code})` : '');
    this.stopTicker();
    this.emit('error', { code: error.code || 'network_error', status: error.status || 0, message: error.message, id: this.id },
      this.options.onError);
  }

  stopTicker() {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  destroy() {
    if (this.follower) this.follower.stop();
    this.stopTicker();
    this.root.remove();
  }
}

class LoginWidget extends Widget {
  constructor(element, options) {
    super(element, options, 'login');
    this.labels = LOGIN_LABELS;
    this.finalStatuses = LOGIN_FINAL;
    this.pageToken = options.pageToken || null;
    this.renewButton.addEventListener('click', () => this.renew());
  }

  qrUrl(id) { return base(this.options.hostUrl) + '/api/v1/login-sessions/' + encodeURIComponent(id) + '/qr.svg'; }
  stateUrl(id) { return base(this.options.hostUrl) + '/login/' + encodeURIComponent(id) + '/state'; }

  describe(state, transport) {
    return { sessionId: this.id, status: state.status, expiresAt: this.expiresAt, transport,
      renewable: state.status === 'expired' && !!this.pageToken };
  }

  update(state) {
    this.qr.classList.toggle('zhaoyin-faded', this.finalStatuses.includes(state.status));
    this.renewButton.hidden = !(state.status === 'expired' && this.pageToken);
    this.renewButton.disabled = false;
    this.returnUrl = state.return_url || null;
  }

  finish(state) {
    // An expired login that the page can renew is not the end yet: the user
    // may ask for a new code (or autoRenew does it now).
    if (state.status === 'expired' && this.pageToken) {
      if (this.options.autoRenew) this.renew();
      return;
    }
    this.emit('result', { sessionId: this.id, status: state.status, returnUrl: this.returnUrl }, this.options.onResult);
  }

  // POST /login/{id}/renew with the page token: a fresh session (new id, new
  // QR, new page token) with the same request, counted like a new login and
  // bounded by login.max_renewals (docs/security/redirects-and-renewal.md).
  async renew() {
    if (this.status !== 'expired' || !this.pageToken || this.renewing) return;
    this.renewing = true;
    this.renewButton.disabled = true;
    const previousId = this.id;
    try {
      const r = await fetch(base(this.options.hostUrl) + '/login/' + encodeURIComponent(previousId) + '/renew', {
        method: 'POST', cache: 'no-store', credentials: 'same-origin', headers: { 'X-Login-Page-Token': this.pageToken },
      });
      const body = await r.json().catch(() => ({}));
      if (r.status !== 201) {
        const code = (body.error && body.error.code) || 'http_' + r.status;
        const message = (body.error && body.error.message) || 'renewal refused';
        // Retryable refusals (peak rate, shared counters down) keep the button;
        // the others end this login as expired.
        if (r.status === 429 || r.status === 503) {
          this.renewButton.disabled = false;
          this.emit('error', { code, status: r.status, message, id: previousId, retryable: true }, this.options.onError);
          return;
        }
        this.pageToken = null;
        this.renewButton.hidden = true;
        this.emit('error', { code, status: r.status, message, id: previousId, retryable: false }, this.options.onError);
        this.emit('result', { sessionId: previousId, status: 'expired', returnUrl: this.returnUrl }, this.options.onResult);
        return;
      }
      if (this.follower) this.follower.stop();
      this.pageToken = body.page_token;
      this.expiresAt = body.expires_at;
      this.renewButton.hidden = true;
      this.emit('renewed', { previousId, sessionId: body.id, expiresAt: body.expires_at, renewalsLeft: body.renewals_left },
        this.options.onRenewed);
      this.start(body.id);
    } catch (e) {
      this.renewButton.disabled = false;
      this.emit('error', { code: 'network_error', status: 0, message: e.message, id: previousId, retryable: true }, this.options.onError);
    } finally {
      this.renewing = false;
    }
  }
}

class SignWidget extends Widget {
  constructor(element, options) {
    super(element, options, 'sign');
    this.labels = SIGN_LABELS;
    this.finalStatuses = SIGN_FINAL;
  }

  qrUrl(id) { return base(this.options.hostUrl) + '/api/v1/sign-tasks/' + encodeURIComponent(id) + '/qr.svg'; }
  stateUrl(id) { return base(this.options.hostUrl) + '/sign/' + encodeURIComponent(id) + '/state'; }

  // The public state names the seals due as labels; the SSE data (the task
  // as the API shows it) as types in seals.due.
  sealsDue(state) {
    if (Array.isArray(state.seals_due)) return state.seals_due;
    if (state.seals && Array.isArray(state.seals.due)) return state.seals.due.map((t) => SEAL_TYPE_LABELS[t] || t);
    return [];
  }

  describe(state, transport) {
    return { taskId: this.id, status: state.status, expiresAt: this.expiresAt, transport, sealsDue: this.sealsDue(state) };
  }

  update(state) {
    const due = this.sealsDue(state);
    const open = !this.finalStatuses.includes(state.status);
    this.detail.hidden = !(open && due.length);
    this.detail.textContent = '待签印章 · Seals due: ' + due.join('、');
    this.qr.classList.toggle('zhaoyin-faded', !open);
    // The public state gives return_url only once signed; the API's task always.
    this.returnUrl = state.status === 'signed' ? state.return_url || null : null;
  }

  finish(state) {
    this.emit('result', { taskId: this.id, status: state.status, returnUrl: this.returnUrl }, this.options.onResult);
  }
}

// mountLogin(element, {sessionId, pageToken?, hostUrl?, eventsUrl?, expiresAt?,
//   autoRenew?, labels?, waitSeconds?, onStatus?, onResult?, onRenewed?, onError?})
// Returns the widget: .id (the current session id), .renew(), .destroy().
export function mountLogin(element, options) {
  if (!options || !options.sessionId) throw new TypeError('mountLogin: sessionId is required');
  const w = new LoginWidget(element, options);
  w.start(options.sessionId);
  return w;
}

// mountSignTask(element, {taskId, hostUrl?, eventsUrl?, expiresAt?, labels?,
//   waitSeconds?, onStatus?, onResult?, onError?})
export function mountSignTask(element, options) {
  if (!options || !options.taskId) throw new TypeError('mountSignTask: taskId is required');
  const w = new SignWidget(element, options);
  w.start(options.taskId);
  return w;
}

// The page token from a login's page_url (…/login/{id}#page_token=…), for a
// server that passes the whole page_url on.
export function pageTokenFrom(pageUrl) {
  const hash = String(pageUrl || '').split('#')[1] || '';
  return new URLSearchParams(hash).get('page_token');
}
