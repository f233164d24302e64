#!/usr/bin/env node
// node validate_captures.js DOC CAPTURE_DIR
//
// Checks every response the Catch2 tests received from a host (one JSON line
// per exchange in CAPTURE_DIR/*.jsonl, written by
// tests/support/openapi_capture.h) against the OpenAPI 3.1 document DOC.
// Fails, listing every mismatch, when a response
//   - is for a path or method the document does not describe (such requests
//     must get the documented 404 not_found / 405 method_not_allowed error),
//   - has a status the operation does not list,
//   - has a media type the response does not list,
//   - has a JSON body that its schema rejects (an error code that is not in
//     the Error schema's enum among them).
//
// OpenAPI 3.1 specifics relied on:
//   - a Schema Object is a JSON Schema draft 2020-12 schema (OAS 3.1.0 §4.8.24,
//     dialect https://spec.openapis.org/oas/3.1/dialect/base), so Ajv's
//     2020-12 validator checks bodies; the OAS vocabulary adds the annotation
//     keywords discriminator, xml, externalDocs and example, declared below as
//     annotations only;
//   - path templating (§4.8.8.2): `{name}` stands for one path segment (or a
//     part of one, as in /api/v1/archives/{id}.pdf); when several templates
//     match, the one with the most literal characters wins, as the concrete
//     path wins over a templated one (§4.8.8.1);
//   - response keys (§4.8.16): an exact status, or a range such as 4XX; a
//     `default` response is not used by this document on purpose, so that a
//     status nobody documented fails here;
//   - Media Type keys (§4.8.14) may be ranges such as text/*; the response's
//     Content-Type parameters (charset) are ignored when matching.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [docPath, captureDir] = process.argv.slice(2);
if (!docPath || !captureDir) {
  console.error('usage: validate_captures.js DOC CAPTURE_DIR');
  process.exit(2);
}
const doc = YAML.parse(fs.readFileSync(docPath, 'utf8'));

// --- schemas: components/schemas become $defs of one schema resource --------
const BASE = 'urn:zhaoyin:openapi';
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
        out[k] = BASE + '#/$defs/' + v.slice('#/components/schemas/'.length);
      else out[k] = rewriteRefs(v);
    }
    return out;
  }
  return node;
}
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
for (const keyword of ['discriminator', 'xml', 'externalDocs', 'example']) ajv.addKeyword({ keyword });
ajv.addSchema({ $id: BASE, $defs: rewriteRefs((doc.components || {}).schemas || {}) });

const compiled = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rewriteRefs(schema)));
  return compiled.get(key);
}

// Compile every component schema now: a schema Ajv cannot compile (strict
// mode) fails here even if no captured response reaches it.
for (const name of Object.keys((doc.components || {}).schemas || {}))
  validatorFor({ $ref: '#/components/schemas/' + name });

// Other components referenced by $ref (responses, parameters, ...).
function deref(node) {
  let seen = 0;
  while (node && node.$ref) {
    if (!node.$ref.startsWith('#/') || ++seen > 10) throw new Error('cannot follow $ref ' + node.$ref);
    node = node.$ref.slice(2).split('/').reduce((n, p) => n[p.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return node;
}

// --- paths ----------------------------------------------------------------
const routes = Object.keys(doc.paths || {}).map((template) => {
  const literal = template.replace(/\{[^}]+\}/g, '').length;
  const pattern = '^' + template.split(/(\{[^}]+\})/).map((part) =>
    part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('') + '$';
  return { template, literal, re: new RegExp(pattern), item: deref(doc.paths[template]) };
}).sort((a, b) => b.literal - a.literal);

function matchRoute(p) {
  return routes.find((r) => r.re.test(p));
}

// The document's answer for a request no operation covers (x-unmatched).
const unmatched = doc['x-zhaoyin-unmatched'] || {};

function findResponse(responses, status) {
  if (!responses) return null;
  const exact = responses[String(status)];
  if (exact) return deref(exact);
  const range = responses[String(status)[0] + 'XX'];
  return range ? deref(range) : null;
}

function mediaTypeOf(contentType) {
  return (contentType || '').split(';')[0].trim().toLowerCase();
}

function findContent(content, mediaType) {
  if (!content) return null;
  if (content[mediaType]) return { key: mediaType, media: content[mediaType] };
  const star = mediaType.split('/')[0] + '/*';
  if (content[star]) return { key: star, media: content[star] };
  if (content['*/*']) return { key: '*/*', media: content['*/*'] };
  return null;
}

// --- the captures ------------------------------------------------------------
// Routes that tests add to their in-process hosts to exercise the edge
// (tests/host: /test/whoami, /test/echo, ...) are not the host's API.
const TEST_ONLY = /^\/test\//;
let skipped = 0;

const files = fs.existsSync(captureDir) ? fs.readdirSync(captureDir).filter((f) => f.endsWith('.jsonl')) : [];
const problems = new Map();  // message -> {count, example}
const covered = new Set();
let exchanges = 0;

function problem(line, message) {
  const entry = problems.get(message) || { count: 0, example: line };
  entry.count += 1;
  problems.set(message, entry);
}

for (const file of files.sort()) {
  const text = fs.readFileSync(path.join(captureDir, file), 'utf8');
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line;
    try {
      line = JSON.parse(raw);
    } catch (e) {
      continue;  // a line cut short by a test process that was killed
    }
    exchanges += 1;
    checkExchange(line);
  }
}

function checkExchange(line) {
  const method = line.method.toLowerCase();
  const requestPath = line.path.split('?')[0].split('#')[0];
  if (TEST_ONLY.test(requestPath)) {
    skipped += 1;
    return;
  }
  const route = matchRoute(requestPath);
  let operation = route && route.item[method];
  let where;
  let responses;
  if (operation) {
    where = `${line.method} ${route.template}`;
    responses = operation.responses;
    covered.add(`${where} ${line.status}`);
  } else if (route) {
    where = `${line.method} ${route.template} (method not in the document)`;
    responses = (unmatched.method || {}).responses;
  } else {
    where = `${line.method} ${requestPath} (path not in the document)`;
    responses = (unmatched.path || {}).responses;
  }
  const response = findResponse(responses, line.status);
  if (!response) {
    problem(line, `${where}: status ${line.status} is not documented`);
    return;
  }
  const mediaType = mediaTypeOf(line.content_type);
  const hasBody = line.body === null ? line.body_bytes > 0 : line.body.length > 0;
  if (!response.content) {
    if (hasBody) problem(line, `${where} ${line.status}: a body (${mediaType}) where the document has none`);
    return;
  }
  if (!hasBody && !mediaType) {
    problem(line, `${where} ${line.status}: no body, the document expects ${Object.keys(response.content).join(', ')}`);
    return;
  }
  const found = findContent(response.content, mediaType);
  if (!found) {
    problem(line, `${where} ${line.status}: media type "${mediaType}" not documented (${Object.keys(response.content).join(', ')})`);
    return;
  }
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  if (!isJson || !found.media.schema) return;
  let body;
  try {
    body = JSON.parse(line.body);
  } catch (e) {
    problem(line, `${where} ${line.status}: the body is not JSON`);
    return;
  }
  const validate = validatorFor(found.media.schema);
  if (!validate(body)) {
    for (const err of validate.errors) {
      const detail = err.params && (err.params.additionalProperty || err.params.allowedValues || err.params.missingProperty);
      const value = err.keyword === 'enum' ? ` (got ${JSON.stringify(instanceAt(body, err.instancePath))})` : '';
      problem(line, `${where} ${line.status}: ${err.instancePath || '/'} ${err.message}` +
        (detail && err.keyword !== 'enum' ? ` (${JSON.stringify(detail)})` : '') + value);
    }
  }
}

function instanceAt(body, pointer) {
  return pointer.split('/').slice(1).reduce((n, p) => (n == null ? n : n[p.replace(/~1/g, '/').replace(/~0/g, '~')]), body);
}

// --- report ------------------------------------------------------------------
console.log(`${exchanges} exchange(s) from ${files.length} test process(es) checked against ${docPath}`);
console.log(`${covered.size} documented (operation, status) pairs seen; ${skipped} exchange(s) with test-only routes (/test/...) skipped`);
if (process.env.OPENAPI_COVERAGE) for (const c of [...covered].sort()) console.log('  seen: ' + c);
// Informative: operations no captured exchange reached (browser-only pages,
// endpoints the tests call through clients that do not capture).
const reached = new Set([...covered].map((c) => c.split(' ').slice(0, 2).join(' ')));
const unreached = [];
for (const r of routes)
  for (const m of ['get', 'post', 'put', 'delete', 'patch'])
    if (r.item[m] && !reached.has(`${m.toUpperCase()} ${r.template}`)) unreached.push(`${m.toUpperCase()} ${r.template}`);
if (unreached.length) console.log(`operations not reached by the captured tests (${unreached.length}): ${unreached.sort().join(', ')}`);
if (problems.size) {
  console.log(`\n${problems.size} mismatch(es):`);
  for (const [message, { count, example }] of [...problems.entries()].sort()) {
    console.log(`- ${message}  [${count}x; e.g. ${example.method} ${example.path.slice(0, 120)}` +
      (example.test ? ` in "${example.test}"` : '') + ']');
    if (process.env.OPENAPI_VERBOSE && example.body) console.log('    body: ' + String(example.body).slice(0, 300));
  }
  process.exit(1);
}
console.log('all captured responses match the document');
