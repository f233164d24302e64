// node --test tests/openapi/selftest: the two checkers catch what they exist
// to catch, on small inputs made here (a check that never fails proves nothing).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const here = path.join(__dirname, '..');
const doc = path.join(here, '..', '..', 'docs', 'openapi.yaml');

function run(script, args) {
  const r = spawnSync(process.execPath, [path.join(here, script), ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function captures(lines) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-capture-'));
  fs.writeFileSync(path.join(dir, '1.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return dir;
}

const error = (code) => JSON.stringify({ error: { code, message: 'm' } });

test('documented responses pass', () => {
  const dir = captures([
    { method: 'GET', path: '/healthz', status: 200, content_type: 'application/json',
      body: JSON.stringify({ status: 'ok', store: 'ok', authority: 'sandbox', version: '1', schema_version: 3 }) },
    { method: 'GET', path: '/api/v1/login-sessions/abc?wait=1', status: 404, content_type: 'application/json', body: error('not_found') },
    { method: 'GET', path: '/no/such/path', status: 404, content_type: 'application/json', body: error('not_found') },
    { method: 'PATCH', path: '/healthz', status: 405, content_type: 'application/json', body: error('method_not_allowed') },
    { method: 'GET', path: '/api/v1/archives/x.pdf', status: 200, content_type: 'application/pdf', body: null, body_bytes: 10 },
  ]);
  const r = run('validate_captures.js', [doc, dir]);
  assert.strictEqual(r.status, 0, r.out);
});

test('an undocumented code, status, field or path fails, each named', () => {
  const dir = captures([
    { method: 'GET', path: '/api/v1/login-sessions/abc', status: 404, content_type: 'application/json', body: error('no_such_code') },
    { method: 'GET', path: '/healthz', status: 418, content_type: 'application/json', body: '{}' },
    { method: 'GET', path: '/healthz', status: 200, content_type: 'application/json',
      body: JSON.stringify({ status: 'ok', store: 'ok', authority: 'sandbox', version: '1', surprise: 1 }) },
    { method: 'GET', path: '/no/such/path', status: 200, content_type: 'text/html', body: '<p>' },
    { method: 'GET', path: '/api/v1/archives/x.pdf', status: 200, content_type: 'text/html', body: '<p>' },
  ]);
  const r = run('validate_captures.js', [doc, dir]);
  assert.strictEqual(r.status, 1, r.out);
  assert.match(r.out, /\/error\/code must be equal to one of the allowed values \(got "no_such_code"\)/);
  assert.match(r.out, /GET \/healthz: status 418 is not documented/);
  assert.match(r.out, /must NOT have additional properties \("surprise"\)/);
  assert.match(r.out, /GET \/no\/such\/path \(path not in the document\): status 200 is not documented/);
  assert.match(r.out, /media type "text\/html" not documented/);
});

test('a code in the host sources that the document lacks fails, and so does a stale one', () => {
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-host-'));
  fs.writeFileSync(path.join(host, 'a.cpp'),
    'void f() {\n  throw http::ApiError(409,\n      "brand_new_code", "x");\n  // ApiError(400, "in_a_comment", "x")\n}\n');
  const r = run('check_error_codes.js', [doc, host]);
  assert.strictEqual(r.status, 1, r.out);
  assert.match(r.out, /MISSING from ErrorCode: brand_new_code/);
  assert.doesNotMatch(r.out, /in_a_comment/);
  assert.match(r.out, /STALE in ErrorCode: not_found/);
});
