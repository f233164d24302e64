// The widget's follower (src/follow.js) with a scripted fetch and EventSource:
// which transport it uses, when it falls back, what it reports. The real
// thing runs in Chromium against a host (test/browser/widget.chromium.js).
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { follow } from '../src/follow.js';

const realFetch = globalThis.fetch;
const realEventSource = globalThis.EventSource;
let sources;

class FakeEventSource {
  constructor(url) {
    this.url = url;
    this.listeners = {};
    this.closed = false;
    this.onerror = null;
    sources.push(this);
  }
  addEventListener(name, fn) { (this.listeners[name] ||= []).push(fn); }
  close() { this.closed = true; }
  emit(state) { for (const fn of this.listeners.status || []) fn({ data: JSON.stringify(state) }); }
  fail() { if (this.onerror) this.onerror(new Event('error')); }
}

// Answers each long-poll with the next scripted reply ({status} or {http: N}).
function scriptFetch(replies) {
  const urls = [];
  globalThis.fetch = async (url) => {
    urls.push(url);
    const next = replies.shift();
    if (!next) return new Promise(() => {});  // hold, like a long-poll with nothing new
    if (next.network) throw new TypeError('network down');
    if (next.http) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no such session' } }), { status: next.http });
    return new Response(JSON.stringify(next), { status: 200 });
  };
  return urls;
}

function recorder() {
  const r = { states: [], transports: [], errors: [] };
  r.done = new Promise((resolve) => { r.resolve = resolve; });
  return r;
}

const FINAL = ['confirmed', 'rejected', 'expired', 'cancelled'];

function start(r, eventsUrl) {
  return follow({
    eventsUrl,
    stateUrl: '/zhaoyin/login/abc/state',
    isFinal: (s) => FINAL.includes(s),
    onState: (s, t) => { r.states.push(s.status + '/' + t); if (FINAL.includes(s.status)) r.resolve(); },
    onTransport: (t) => r.transports.push(t),
    onError: (e) => { r.errors.push(e.code); r.resolve(); },
  });
}

beforeEach(() => { sources = []; globalThis.EventSource = FakeEventSource; });
afterEach(() => { globalThis.fetch = realFetch; globalThis.EventSource = realEventSource; });

test('SSE: every change once, closed at the final status, no polling', async () => {
  const urls = scriptFetch([]);
  const r = recorder();
  start(r, '/rp/login-sessions/abc/events');
  const es = sources[0];
  assert.equal(es.url, '/rp/login-sessions/abc/events');
  for (const s of ['pending', 'pending', 'scanned', 'confirmed']) es.emit({ status: s });
  await r.done;
  assert.deepEqual(r.states, ['pending/sse', 'scanned/sse', 'confirmed/sse']);
  assert.deepEqual(r.transports, ['sse']);
  assert.ok(es.closed);
  assert.equal(urls.length, 0);
});

test('a failed stream falls back to the long-poll from the last status seen', async () => {
  const urls = scriptFetch([{ status: 'scanned' }, { status: 'confirmed' }]);
  const r = recorder();
  start(r, '/rp/events');
  sources[0].emit({ status: 'pending' });
  sources[0].fail();
  await r.done;
  assert.ok(sources[0].closed);
  assert.deepEqual(r.transports, ['sse', 'long-poll']);
  assert.deepEqual(r.states, ['pending/sse', 'scanned/long-poll', 'confirmed/long-poll']);
  assert.equal(urls[0], '/zhaoyin/login/abc/state?wait=25&last=pending');
  assert.equal(urls[1], '/zhaoyin/login/abc/state?wait=25&last=scanned');
});

test('without an events URL it long-polls only', async () => {
  scriptFetch([{ status: 'pending' }, { status: 'expired' }]);
  const r = recorder();
  start(r, null);
  await r.done;
  assert.equal(sources.length, 0);
  assert.deepEqual(r.transports, ['long-poll']);
  assert.deepEqual(r.states, ['pending/long-poll', 'expired/long-poll']);
});

test('a network error is retried; a 4xx ends with onError', async () => {
  const urls = scriptFetch([{ network: true }, { status: 'pending' }, { http: 404 }]);
  const r = recorder();
  start(r, null);
  await r.done;
  assert.deepEqual(r.states, ['pending/long-poll']);
  assert.deepEqual(r.errors, ['not_found']);
  assert.equal(urls.length, 3);
});

test('stop() ends following: later events are ignored', async () => {
  scriptFetch([]);
  const r = recorder();
  const f = start(r, '/rp/events');
  sources[0].emit({ status: 'pending' });
  f.stop();
  sources[0].emit({ status: 'confirmed' });
  assert.deepEqual(r.states, ['pending/sse']);
  assert.ok(sources[0].closed);
});
