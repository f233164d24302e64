// Server-side (Node) check of the callbacks zhaoyin-host POSTs to a relying
// party (docs/api/callbacks.md):
//
//   X-Zhaoyin-Timestamp: <unix seconds>
//   X-Zhaoyin-Signature: sha256=<hex HMAC-SHA256(K, timestamp + "." + body)>
//   K = HMAC-SHA256(key = client secret, message = "zhaoyin callback signing key")
//
// The signature covers the exact body bytes, so the caller must hand over the
// raw body (a Buffer or the string as received), never a re-serialised object:
// JSON.stringify would not reproduce the host's bytes. Only node:crypto is
// used (HMAC-SHA256 is all the host signs with).
import { createHmac, timingSafeEqual } from 'node:crypto';

const KEY_LABEL = 'zhaoyin callback signing key';
const SIGNATURE_PREFIX = 'sha256=';

// Five minutes either way: the host stamps each attempt when it sends it, so
// an honest delivery is seconds old; anything further out is a replay or a
// badly wrong clock.
export const DEFAULT_TOLERANCE_SECONDS = 300;

export class WebhookVerificationError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

// The application's callback key K from its client secret (the host stores
// only K). Pass the result as `key` to avoid deriving it on every request.
export function callbackKey(clientSecret) {
  if (typeof clientSecret !== 'string' || clientSecret === '') throw new TypeError('callbackKey: clientSecret must be a non-empty string');
  return createHmac('sha256', clientSecret).update(KEY_LABEL, 'utf8').digest();
}

function keyFrom(options) {
  if (options.key !== undefined && options.secret !== undefined) throw new TypeError('verifyWebhook: give either secret or key, not both');
  if (options.secret !== undefined) return callbackKey(options.secret);
  const { key } = options;
  if (Buffer.isBuffer(key) || key instanceof Uint8Array) return Buffer.from(key);
  if (typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  throw new TypeError('verifyWebhook: key must be the 32-byte callback key (Buffer or 64 hex digits), or give secret');
}

function bodyBytes(body) {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // A parsed object cannot be checked: its bytes are gone.
  throw new TypeError('verifyWebhook: body must be the raw request body (Buffer, Uint8Array or string)');
}

// Reads a header from Node's IncomingMessage.headers (lower-case names, maybe
// arrays), a WHATWG Headers object (fetch, undici) or a plain object in any case.
function header(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted) continue;
    // Two copies of a header are suspicious; refuse rather than pick one.
    if (Array.isArray(v)) return v.length === 1 ? v[0] : null;
    return v;
  }
  return undefined;
}

// The value of X-Zhaoyin-Signature for `body` sent at `timestamp` with key K:
// exactly what the host computes (host/http/src/callback_dispatcher.cpp).
// Useful to test a receiver.
export function signWebhook({ key, secret, timestamp, body }) {
  const k = keyFrom({ key, secret });
  return SIGNATURE_PREFIX + createHmac('sha256', k)
    .update(Buffer.from(String(timestamp) + '.', 'utf8'))
    .update(bodyBytes(body))
    .digest('hex');
}

// Checks one callback and returns its parsed JSON payload
// ({event: "login_session.status", session: {...}} or
// {event: "sign_task.status", task: {...}}). Throws WebhookVerificationError
// with a `code`:
//   missing_timestamp, malformed_timestamp, missing_signature,
//   malformed_signature, stale_timestamp (older than the tolerance),
//   future_timestamp (newer than the tolerance), bad_signature, invalid_json.
// Options: body (raw), headers, and secret (client secret) or key (K);
// toleranceSeconds (default 300; a timestamp exactly that far off is still
// accepted); now (unix seconds, for tests).
//
// The timestamp is part of the signed text, so within the window a captured
// delivery can still be replayed: deduplicate by the session or task id and
// its status, as the host also delivers at least once.
export function verifyWebhook(options) {
  if (!options || typeof options !== 'object') throw new TypeError('verifyWebhook: options object required');
  const key = keyFrom(options);
  const body = bodyBytes(options.body);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isInteger(tolerance) || tolerance < 0) throw new TypeError('verifyWebhook: toleranceSeconds must be a whole number >= 0');
  const now = options.now ?? Math.floor(Date.now() / 1000);

  const timestamp = header(options.headers, 'X-Zhaoyin-Timestamp');
  if (timestamp === undefined || timestamp === '') throw new WebhookVerificationError('missing_timestamp', 'no X-Zhaoyin-Timestamp header');
  // Digits only, as the host writes it: "+1", " 1" or "1e9" would parse as
  // numbers here but are not what was signed by the host.
  if (typeof timestamp !== 'string' || !/^[0-9]{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError('malformed_timestamp', 'X-Zhaoyin-Timestamp is not unix seconds');
  }
  const signature = header(options.headers, 'X-Zhaoyin-Signature');
  if (signature === undefined || signature === '') throw new WebhookVerificationError('missing_signature', 'no X-Zhaoyin-Signature header');
  if (typeof signature !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(signature)) {
    throw new WebhookVerificationError('malformed_signature', 'X-Zhaoyin-Signature is not sha256=<64 lower-case hex digits>');
  }

  // The signature first: a forged request learns nothing about our clock.
  const expected = Buffer.from(signWebhook({ key, timestamp, body }), 'utf8');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'utf8'))) {
    throw new WebhookVerificationError('bad_signature', 'the signature does not match the body and timestamp');
  }
  const age = now - Number(timestamp);
  if (age > tolerance) throw new WebhookVerificationError('stale_timestamp', `the callback was signed ${age} s ago (tolerance ${tolerance} s)`);
  if (-age > tolerance) throw new WebhookVerificationError('future_timestamp', `the callback is stamped ${-age} s ahead (tolerance ${tolerance} s)`);

  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new WebhookVerificationError('invalid_json', 'the signed body is not JSON: ' + e.message);
  }
}
