// Follows one login session or sign task until it reaches a final status:
// Server-Sent Events when an events URL is given and the stream works, the
// host's public long-poll (`…/state?wait=S&last=STATUS`) otherwise. No DOM
// here, so the widget stays a thin view over it.
//
// Why both: the host's SSE endpoints need the application's bearer token,
// which a browser must never hold, so SSE reaches the browser only through
// the relying party's own relay (README, "Deployment"); some proxies and
// networks refuse or cut streams. The long-poll endpoint is public (the
// 128-bit id is the capability) and works through any plain HTTP proxy.

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15000;

// options:
//   eventsUrl  string or null: the SSE stream (`event: status`, data = JSON with `status`)
//   stateUrl   string: the long-poll endpoint without a query
//   isFinal    (status) => boolean
//   onState    (state, transport) => void, once per status change
//   onTransport(transport) => void: 'sse' or 'long-poll'
//   onError    (error) => void: the follower gave up (a 4xx from the state endpoint)
//   waitSeconds  long-poll hold, 1–30 (default 25)
// Returns { stop() }.
export function follow(options) {
  const waitSeconds = Math.min(30, Math.max(1, options.waitSeconds || 25));
  let last = '';
  let stopped = false;
  let source = null;
  let controller = null;
  let timer = null;
  let retryMs = RETRY_FIRST_MS;

  function stop() {
    stopped = true;
    if (source) source.close();
    if (controller) controller.abort();
    if (timer) clearTimeout(timer);
    source = null;
  }

  // Both transports report every status from the start; only changes go on.
  function deliver(state, transport) {
    if (stopped || !state || typeof state.status !== 'string') return;
    if (state.status !== last) {
      last = state.status;
      options.onState(state, transport);
    }
    if (options.isFinal(state.status)) stop();
  }

  function poll() {
    if (stopped) return;
    controller = new AbortController();
    const url = options.stateUrl + '?wait=' + waitSeconds + '&last=' + encodeURIComponent(last);
    fetch(url, { cache: 'no-store', credentials: 'same-origin', signal: controller.signal })
      .then(async (r) => {
        if (r.ok) return r.json();
        const body = await r.json().catch(() => ({}));
        const e = new Error((body.error && body.error.message) || 'HTTP ' + r.status);
        e.status = r.status;
        e.code = (body.error && body.error.code) || 'http_' + r.status;
        throw e;
      })
      .then((state) => {
        retryMs = RETRY_FIRST_MS;
        deliver(state, 'long-poll');
        poll();
      })
      .catch((e) => {
        if (stopped) return;
        // A 4xx will not get better by asking again (unknown id, refused);
        // anything else (network, 5xx, a proxy timing out) is retried with a
        // growing pause, so a host restart is ridden out without hammering it.
        if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
          stop();
          options.onError(e);
          return;
        }
        timer = setTimeout(poll, retryMs);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      });
  }

  function fallBack() {
    if (source) source.close();
    source = null;
    if (stopped) return;
    options.onTransport('long-poll');
    poll();
  }

  if (options.eventsUrl && typeof EventSource === 'function') {
    options.onTransport('sse');
    source = new EventSource(options.eventsUrl);
    source.addEventListener('status', (event) => {
      let state;
      try { state = JSON.parse(event.data); } catch (e) { return; }
      deliver(state, 'sse');
    });
    // EventSource would reconnect by itself after a cut, and give up silently
    // after a refusal; either way the long-poll is the surer path from here
    // (it resumes from the last status seen, so nothing is reported twice).
    source.onerror = fallBack;
  } else {
    options.onTransport('long-poll');
    poll();
  }
  return { stop };
}
