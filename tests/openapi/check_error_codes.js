#!/usr/bin/env node
// node check_error_codes.js DOC HOST_SRC
//
// The error codes the host can answer, read from its sources, against the
// enums of docs/openapi.yaml:
//   - components.schemas.ErrorCode (the SPEC body {"error":{"code":...}});
//   - components.schemas.OAuthErrorCode (RFC 6749 §5.2 bodies of the OpenID
//     Connect provider: {"error":"...","error_description":"..."}).
// Fails when the host has a code the document lacks (a new code must be
// documented) or the document lists a code no source produces (a stale one).
//
// The host produces codes in a few shapes, each matched below; a code that
// comes from a variable is found where the variable is set (quota admissions,
// extension decisions, script refusals, trust and JSON reader errors).
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const [docPath, hostDir] = process.argv.slice(2);
if (!docPath || !hostDir) {
  console.error('usage: check_error_codes.js DOC HOST_SRC');
  process.exit(2);
}
const doc = YAML.parse(fs.readFileSync(docPath, 'utf8'));

const CODE = String.raw`"([a-z][a-z0-9_]*)"(?!\s*\+)`;  // not the head of a concatenation
// [regex, description]; group 1 is the code.
const SPEC_SHAPES = [
  [new RegExp(String.raw`\bApiError\s*\(\s*[^,();]+,\s*` + CODE, 'g'), 'ApiError(status, "code", ...)'],
  [new RegExp(String.raw`\bforbidden\s*\(\s*` + CODE, 'g'), 'ApiError::forbidden("code", ...)'],
  [/\bApiError::bad_request\b()/g, 'ApiError::bad_request → invalid_request', 'invalid_request'],
  [/\bApiError::not_found\b()/g, 'ApiError::not_found → not_found', 'not_found'],
  // The edge's refusals, the presentation verifier's: refuse([conn,] status, "code", ...).
  [new RegExp(String.raw`\brefuse\s*\(\s*(?:[a-z_]+\s*,\s*)?\d{3}\s*,\s*` + CODE, 'g'), 'refuse(status, "code", ...)'],
  // Verification checks: fail("check", "code", status, ...).
  [new RegExp(String.raw`\bfail\s*\(\s*"[a-z_]+"\s*,\s*` + CODE + String.raw`\s*,\s*\d{3}`, 'g'), 'fail("check", "code", status)'],
  // Extension decisions: Decision::refuse(source, "code", reason, status).
  [new RegExp(String.raw`Decision::refuse\s*\(\s*[^,;]+,\s*` + CODE, 'g'), 'Decision::refuse(source, "code", ...)'],
  // A default for an empty code: r.code.empty() ? "script_failed" : r.code.
  [new RegExp(String.raw`empty\(\)\s*\?\s*` + CODE, 'g'), 'x.empty() ? "code" : x'],
  // Codes held in a variable or member first: code = "...", refusal_code = "...",
  // kFailedCode = "...".
  [new RegExp(String.raw`\b(?:[A-Za-z_.]*[cC]ode)\s*=\s*` + CODE, 'g'), '<...>code = "code"'],
  // Exceptions that carry a code the host answers: trust::TrustError (400, or
  // 500 crypto_failure), protocol::JsonInputError, pdf::PdfError,
  // CallbackRefused, ...: SomethingError("code", ...) / SomethingRefused("code", ...).
  [new RegExp(String.raw`\b[A-Z]\w*(?:Error|Refused)\s*\(\s*` + CODE, 'g'), 'XxxError("code", ...)'],
  // Check results that refusals pass on: failed("code", ...) (seal checks),
  // fail("code") (JSON reader, grant checks).
  [new RegExp(String.raw`\bfailed\s*\(\s*` + CODE, 'g'), 'failed("code", ...)'],
  [new RegExp(String.raw`\bfail\s*\(\s*"(json_[a-z0-9_]*|wrong_[a-z_]*)"`, 'g'), 'fail("code") of a reader'],
];
const OAUTH_SHAPES = [
  [new RegExp(String.raw`\bOAuthError\s*\(\s*\d{3}\s*,\s*` + CODE, 'g'), 'OAuthError(status, "error", ...)'],
  // Helpers: OAuthError invalid_grant(...) { return {400, "invalid_grant", d}; }
  [new RegExp(String.raw`\bOAuthError\s+\w+\s*\([^)]*\)\s*\{\s*return\s*\{\s*\d{3}\s*,\s*` + CODE, 'g'), 'OAuthError helper'],
  // with_oauth_errors(): the edge's ApiError refusals in the OAuth shape.
  [new RegExp(String.raw`status\(\) == 401 \? ` + CODE, 'g'), 'with_oauth_errors 401'],
  [new RegExp(String.raw`status\(\) == 401 \? "[a-z_]+" : ` + CODE, 'g'), 'with_oauth_errors other'],
];
// Matches of the shapes above that are not codes answered in an HTTP body,
// each with the reason. Keep this list short and explained.
const NOT_HTTP = {
  // host/protocol/src/grant.cpp, host/trust/src/chain.cpp: the code of a check that passed.
  ok: 'a passed check\'s result code',
};

function sources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (/\.(cpp|h|hpp)$/.test(entry.name)) out.push(p);
  }
  return out;
}

// Comments out: a code named in a comment is not one the host answers.
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"\\])\/\/.*$/gm, '$1');
}

function collect(shapes, files) {
  const found = new Map();  // code -> Set of "file (shape)"
  for (const file of files) {
    const text = stripComments(fs.readFileSync(file, 'utf8'));
    for (const [re, what, fixed] of shapes) {
      re.lastIndex = 0;
      let m;
      while ((m = re.exec(text))) {
        const code = fixed || m[1];
        if (NOT_HTTP[code]) continue;
        if (!found.has(code)) found.set(code, new Set());
        found.get(code).add(`${path.relative(path.dirname(hostDir), file)} (${what})`);
      }
    }
  }
  return found;
}

function enumOf(name) {
  const schema = ((doc.components || {}).schemas || {})[name];
  if (!schema || !Array.isArray(schema.enum)) {
    console.error(`${docPath}: components.schemas.${name} has no enum`);
    process.exit(1);
  }
  return new Set(schema.enum);
}

const files = sources(hostDir);
let failed = false;
for (const [schemaName, shapes] of [['ErrorCode', SPEC_SHAPES], ['OAuthErrorCode', OAUTH_SHAPES]]) {
  const host = collect(shapes, files);
  const documented = enumOf(schemaName);
  const missing = [...host.keys()].filter((c) => !documented.has(c)).sort();
  const stale = [...documented].filter((c) => !host.has(c)).sort();
  console.log(`${schemaName}: ${host.size} code(s) in the host sources, ${documented.size} in the document`);
  for (const c of missing) {
    failed = true;
    console.log(`  MISSING from ${schemaName}: ${c}  — from ${[...host.get(c)].slice(0, 3).join('; ')}`);
  }
  for (const c of stale) {
    failed = true;
    console.log(`  STALE in ${schemaName}: ${c}  — no host source produces it`);
  }
}
if (failed) process.exit(1);
console.log('every error code the host answers is documented, and no other');
