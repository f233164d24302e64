// End to end: an off-the-shelf OpenID Connect client (openid-client 5.x,
// unchanged) signs in to a real zhaoyin-host with the wallet simulator.
//
//   node e2e.js ISSUER SANDBOX_DIR WALLET_BIN
//
// The script plays the browser: it follows the authorization URL to the
// hosted QR page, reads the QR text (id="qr-text"), has the wallet scan and
// approve it, goes back to the page's return URL with the cookie the provider
// set, and hands the redirect (code, state, iss) to client.callback(). It then
// checks the ID token claims and userinfo, and the refusals: a replayed code
// and a login the holder rejects. Prints one line per step; exit 0 = passed.
'use strict';
const { Issuer, generators, errors } = require('openid-client');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const assert = require('assert/strict');

const [issuerUrl, sandboxDir, walletBin] = process.argv.slice(2);
if (!issuerUrl || !sandboxDir || !walletBin) {
  console.error('usage: node e2e.js ISSUER SANDBOX_DIR WALLET_BIN');
  process.exit(2);
}

function step(message) { console.log('ok - ' + message); }

function unescapeHtml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'").replace(/&amp;/g, '&');
}

// The demo data: the tax application (湖北, login) and a 湖北 legal representative in good standing.
function pickDemo() {
  const sandbox = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'sandbox.json'), 'utf8'));
  const app = sandbox.applications.find((a) => a.needs.includes('login') && a.department === 'tax');
  assert.ok(app, 'sandbox.json has a tax application approved for login');
  const redirectUri = app.redirect_uris.find((u) => u.startsWith('http://127.0.0.1'));
  assert.ok(redirectUri, 'the tax application registers a loopback redirect URI');
  const enterprises = new Map(sandbox.enterprises.map((e) => [e.uscc, e]));
  const wallet = sandbox.wallets.find((w) => {
    const e = enterprises.get(w.uscc);
    return e && e.status === 'active' && (app.scope === 'national' || e.province === app.province) &&
      w.role === 'legal_representative' && !w.cert_revoked && !w.authorisation_expired;
  });
  assert.ok(wallet, 'sandbox.json has a suitable wallet');
  return { app, redirectUri, wallet, enterprise: enterprises.get(wallet.uscc) };
}

// authorize URL → hosted QR page → wallet → return URL; the final redirect's URL.
async function browserLogin(url, wallet, decision) {
  const start = await fetch(url, { redirect: 'manual' });
  assert.equal(start.status, 302, 'authorize redirects to the QR page');
  const loginPage = new URL(start.headers.get('location'), issuerUrl);
  assert.match(loginPage.pathname, /^\/login\//);
  const cookies = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  assert.ok(cookies.startsWith('zhaoyin_oidc='), 'authorize sets the browser-binding cookie');

  const page = await fetch(loginPage);
  assert.equal(page.status, 200);
  const html = await page.text();
  const qr = html.match(/id="qr-text"[^>]*>([^<]+)</);
  assert.ok(qr, 'the hosted page shows the QR text in id="qr-text"');
  const qrText = unescapeHtml(qr[1].trim());
  const returnUrl = unescapeHtml((html.match(/data-return-url="([^"]*)"/) || [])[1] || '');
  assert.match(returnUrl, /^\/oidc\/continue\//, 'the QR page returns to /oidc/continue/...');

  execFileSync(walletBin, ['--wallet', path.join(sandboxDir, wallet.path), '--password', wallet.password,
    'scan', qrText, decision], { stdio: ['ignore', 'pipe', 'pipe'] });
  step(`wallet ${decision} (${wallet.holder})`);

  const back = await fetch(new URL(returnUrl, issuerUrl), { redirect: 'manual', headers: { cookie: cookies } });
  assert.equal(back.status, 302, 'continue redirects to the client');
  return back.headers.get('location');
}

async function main() {
  const { app, redirectUri, wallet, enterprise } = pickDemo();

  const issuer = await Issuer.discover(issuerUrl);
  assert.equal(issuer.issuer, issuerUrl);
  step('discovery');
  const client = new issuer.Client({
    client_id: app.client_id,
    client_secret: app.client_secret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
    token_endpoint_auth_method: 'client_secret_basic',
  });

  // 1. The full sign-in.
  const codeVerifier = generators.codeVerifier();
  const state = generators.state();
  const nonce = generators.nonce();
  const url = client.authorizationUrl({
    scope: 'openid profile',
    code_challenge: generators.codeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const location = await browserLogin(url, wallet, '--approve');
  assert.ok(location.startsWith(redirectUri + '?'), 'the code goes to the registered redirect URI');
  const params = client.callbackParams(location);
  assert.equal(params.state, state);
  assert.equal(params.iss, issuerUrl);
  const tokens = await client.callback(redirectUri, params, { code_verifier: codeVerifier, state, nonce });
  step('code exchanged, ID token verified by openid-client (ES256, iss, aud, nonce, at_hash)');

  const claims = tokens.claims();
  assert.equal(claims.uscc, wallet.uscc);
  assert.equal(claims.name, enterprise.name);
  assert.equal(claims.holder.name, wallet.holder);
  assert.equal(claims.holder.role, 'legal_representative');
  assert.equal(claims.legal_representative, wallet.holder);
  assert.equal(claims.acr, 'urn:zhaoyin:acr:license-qr');
  assert.equal(claims.nonce, nonce);
  assert.match(claims.sub, /^[A-Za-z0-9_-]{32}$/);
  step(`ID token claims: sub ${claims.sub}, uscc ${claims.uscc}, name ${claims.name}`);

  const info = await client.userinfo(tokens);
  assert.equal(info.sub, claims.sub);
  assert.equal(info.uscc, wallet.uscc);
  assert.equal(info.holder.name, wallet.holder);
  step('userinfo');

  // 2. The code is single use, and its replay revokes the access token.
  await assert.rejects(client.callback(redirectUri, params, { code_verifier: codeVerifier, state, nonce }),
    (e) => e instanceof errors.OPError && e.error === 'invalid_grant');
  await assert.rejects(client.userinfo(tokens.access_token),
    (e) => e instanceof errors.OPError && e.error === 'invalid_token');
  step('replayed code refused (invalid_grant) and its access token revoked (invalid_token)');

  // 3. The same sign-in again gives the same sub; a rejected login ends in access_denied.
  const verifier2 = generators.codeVerifier();
  const state2 = generators.state();
  const nonce2 = generators.nonce();
  const url2 = client.authorizationUrl({
    scope: 'openid',
    code_challenge: generators.codeChallenge(verifier2),
    code_challenge_method: 'S256',
    state: state2,
    nonce: nonce2,
  });
  const rejected = await browserLogin(url2, wallet, '--reject');
  await assert.rejects(
    client.callback(redirectUri, client.callbackParams(rejected), { code_verifier: verifier2, state: state2, nonce: nonce2 }),
    (e) => e instanceof errors.OPError && e.error === 'access_denied');
  step('rejected login ends in access_denied at the client');

  console.log('PASS oidc end to end');
}

main().catch((e) => {
  console.error('FAIL ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
