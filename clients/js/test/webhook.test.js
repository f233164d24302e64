// verifyWebhook against the vector the C++ host's signer is checked against
// too (tests/callbacks/vectors/webhook-signature.json, read by
// tests/callbacks/test_webhook_vector.cpp): what the host signs, this accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callbackKey, signWebhook, verifyWebhook, WebhookVerificationError } from '../src/webhook.js';

const vectorPath = process.env.ZHAOYIN_WEBHOOK_VECTOR ||
  fileURLToPath(new URL('../../../tests/callbacks/vectors/webhook-signature.json', import.meta.url));
const vector = JSON.parse(readFileSync(vectorPath, 'utf8'));
const ts = Number(vector.timestamp);

// Headers as Node's http server hands them over: lower-case names.
const nodeHeaders = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function refused(code, fn) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof WebhookVerificationError, 'not a WebhookVerificationError: ' + e);
    assert.equal(e.code, code);
    return true;
  });
}

test('the callback key derived from the client secret is the vector key', () => {
  assert.equal(callbackKey(vector.client_secret).toString('hex'), vector.callback_key_hex);
});

test('signWebhook reproduces the host header from the vector', () => {
  assert.equal(signWebhook({ secret: vector.client_secret, timestamp: vector.timestamp, body: vector.body }),
    vector.headers['X-Zhaoyin-Signature']);
  assert.equal(signWebhook({ key: vector.callback_key_hex, timestamp: vector.timestamp, body: Buffer.from(vector.body) }),
    vector.headers['X-Zhaoyin-Signature']);
});

test('the vector verifies with the secret, the key (hex or bytes), any header spelling, string or Buffer body', () => {
  const payload = verifyWebhook({ secret: vector.client_secret, headers: nodeHeaders(vector.headers), body: Buffer.from(vector.body, 'utf8'), now: ts });
  assert.equal(payload.event, 'login_session.status');
  assert.equal(payload.session.matter, '电子政务/税务/发票申领');
  verifyWebhook({ key: vector.callback_key_hex, headers: vector.headers, body: vector.body, now: ts });
  verifyWebhook({ key: Buffer.from(vector.callback_key_hex, 'hex'), headers: new Headers(vector.headers), body: vector.body, now: ts });
});

test('a changed body, timestamp, secret or signature is refused', () => {
  const base = { secret: vector.client_secret, headers: nodeHeaders(vector.headers), body: vector.body, now: ts };
  refused('bad_signature', () => verifyWebhook({ ...base, body: vector.body.replace('confirmed', 'rejected') }));
  refused('bad_signature', () => verifyWebhook({ ...base, body: vector.body + '\n' }));
  refused('bad_signature', () => verifyWebhook({ ...base, secret: vector.client_secret + 'x' }));
  refused('bad_signature', () => verifyWebhook({ ...base, now: ts + 1,
    headers: { ...base.headers, 'x-zhaoyin-timestamp': String(ts + 1) } }));
  const sig = vector.headers['X-Zhaoyin-Signature'];
  const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
  refused('bad_signature', () => verifyWebhook({ ...base, headers: { ...base.headers, 'x-zhaoyin-signature': flipped } }));
});

test('missing or malformed headers are refused with their own codes', () => {
  const base = { secret: vector.client_secret, body: vector.body, now: ts };
  const h = nodeHeaders(vector.headers);
  refused('missing_timestamp', () => verifyWebhook({ ...base, headers: { 'x-zhaoyin-signature': h['x-zhaoyin-signature'] } }));
  refused('missing_signature', () => verifyWebhook({ ...base, headers: { 'x-zhaoyin-timestamp': h['x-zhaoyin-timestamp'] } }));
  for (const bad of ['+' + vector.timestamp, ' ' + vector.timestamp, '1.795428021e9', '-1', 'abc']) {
    refused('malformed_timestamp', () => verifyWebhook({ ...base, headers: { ...h, 'x-zhaoyin-timestamp': bad } }));
  }
  for (const bad of [h['x-zhaoyin-signature'].toUpperCase(), h['x-zhaoyin-signature'].slice(7), 'sha1=' + h['x-zhaoyin-signature'].slice(7),
    h['x-zhaoyin-signature'] + '00']) {
    refused('malformed_signature', () => verifyWebhook({ ...base, headers: { ...h, 'x-zhaoyin-signature': bad } }));
  }
  // Two copies of a header (Node joins most, but keeps arrays for some): refused, not guessed.
  refused('malformed_timestamp', () => verifyWebhook({ ...base, headers: { ...h, 'x-zhaoyin-timestamp': [vector.timestamp, vector.timestamp] } }));
});

test('the replay window: exactly the tolerance either way is accepted, one second beyond is refused', () => {
  const base = { secret: vector.client_secret, headers: vector.headers, body: vector.body };
  verifyWebhook({ ...base, now: ts + 300 });
  verifyWebhook({ ...base, now: ts - 300 });
  refused('stale_timestamp', () => verifyWebhook({ ...base, now: ts + 301 }));
  refused('future_timestamp', () => verifyWebhook({ ...base, now: ts - 301 }));
  verifyWebhook({ ...base, now: ts + 30, toleranceSeconds: 30 });
  refused('stale_timestamp', () => verifyWebhook({ ...base, now: ts + 31, toleranceSeconds: 30 }));
  verifyWebhook({ ...base, now: ts, toleranceSeconds: 0 });
  refused('stale_timestamp', () => verifyWebhook({ ...base, now: ts + 1, toleranceSeconds: 0 }));
  // Without `now` the real clock is used: the 2026 vector is long out of any window by then... or not yet in it.
  assert.throws(() => verifyWebhook(base), WebhookVerificationError);
});

test('a stale forgery is reported as a bad signature, not as stale', () => {
  refused('bad_signature', () => verifyWebhook({ secret: 'wrong', headers: vector.headers, body: vector.body, now: ts + 10_000 }));
});

test('a freshly signed delivery verifies with the real clock', () => {
  const now = String(Math.floor(Date.now() / 1000));
  const body = JSON.stringify({ event: 'sign_task.status', task: { id: 't1', status: 'signed' } });
  const signature = signWebhook({ secret: 's3cret', timestamp: now, body });
  const payload = verifyWebhook({ secret: 's3cret', headers: { 'X-Zhaoyin-Timestamp': now, 'X-Zhaoyin-Signature': signature }, body });
  assert.equal(payload.task.status, 'signed');
});

test('a signed body that is not JSON is reported as such', () => {
  const body = 'not json';
  const signature = signWebhook({ secret: 's', timestamp: '100', body });
  refused('invalid_json', () => verifyWebhook({ secret: 's', headers: { 'x-zhaoyin-timestamp': '100', 'x-zhaoyin-signature': signature }, body, now: 100 }));
});

test('misuse is a TypeError, not a verification result', () => {
  assert.throws(() => verifyWebhook({ secret: 's', headers: vector.headers, body: JSON.parse(vector.body) }), TypeError);
  assert.throws(() => verifyWebhook({ secret: 's', key: vector.callback_key_hex, headers: vector.headers, body: vector.body }), TypeError);
  assert.throws(() => verifyWebhook({ key: 'abcd', headers: vector.headers, body: vector.body }), TypeError);
  assert.throws(() => verifyWebhook({ secret: 's', headers: vector.headers, body: vector.body, toleranceSeconds: -1 }), TypeError);
  assert.throws(() => callbackKey(''), TypeError);
});
