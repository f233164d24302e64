// Single sign-on end to end (issue 22, "一次认证、全网通用"): a real
// zhaoyin-host started with oidc.sso.enabled=true, the wallet simulator, and
// openid-client 5.x (unchanged) as three relying parties in one browser.
//
//   node sso.js ISSUER SANDBOX_DIR WALLET_BIN
//
// The script plays one browser with a cookie jar. The holder scans once for
// the tax bureau (湖北, province scope); the bank (national scope) then gets
// its code without a scan, also with prompt=none, with the same enterprise
// sub and the original auth_time; the 河南 social-insurance platform
// (province 41) is refused for the 湖北 enterprise (out_of_scope) although
// the session is open. prompt=login and max_age=0 ask for the QR again.
// Refusals: another browser (no cookie), a forged cookie, after logout.
// Logout (RP-Initiated Logout 1.0): without id_token_hint only a confirmation
// page; a forged hint and an unregistered post_logout_redirect_uri refused;
// with the bank's ID token the session ends and the browser goes back with
// its state. Prints one line per step; exit 0 = passed.
'use strict';
const { Issuer, generators, errors } = require('openid-client');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const assert = require('assert/strict');

const [issuerUrl, sandboxDir, walletBin] = process.argv.slice(2);
if (!issuerUrl || !sandboxDir || !walletBin) {
  console.error('usage: node sso.js ISSUER SANDBOX_DIR WALLET_BIN');
  process.exit(2);
}

function step(message) { console.log('ok - ' + message); }

function unescapeHtml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'").replace(/&amp;/g, '&');
}

// One browser: cookies by name (this provider sets only path-scoped ones on one host).
class Browser {
  constructor() { this.cookies = new Map(); }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  take(response) {
    const set = response.headers.getSetCookie();
    for (const line of set) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name); else this.cookies.set(name, value);
    }
    return set;
  }
  async get(url, options = {}) {
    const r = await fetch(url, { redirect: 'manual', ...options, headers: { cookie: this.header(), ...(options.headers || {}) } });
    this.take(r);
    return r;
  }
}

function pick() {
  const sandbox = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'sandbox.json'), 'utf8'));
  const app = (department) => {
    const a = sandbox.applications.find((x) => x.department === department && x.needs.includes('login'));
    assert.ok(a, `sandbox.json has a ${department} application approved for login`);
    return { ...a, redirectUri: a.redirect_uris.find((u) => u.startsWith('http://127.0.0.1')) };
  };
  const tax = app('tax');
  const bank = app('banking');
  const social = app('social_insurance');
  assert.equal(bank.scope, 'national');
  const enterprises = new Map(sandbox.enterprises.map((e) => [e.uscc, e]));
  const wallet = sandbox.wallets.find((w) => {
    const e = enterprises.get(w.uscc);
    return e && e.status === 'active' && e.province === tax.province && e.province !== social.province &&
      w.role === 'legal_representative' && !w.cert_revoked && !w.authorisation_expired;
  });
  assert.ok(wallet, 'sandbox.json has a 湖北 legal representative in good standing');
  return { tax, bank, social, wallet };
}

async function main() {
  const { tax, bank, social, wallet } = pick();
  const issuer = await Issuer.discover(issuerUrl);
  assert.equal(issuer.metadata.end_session_endpoint, issuerUrl + '/oidc/logout');
  assert.deepEqual(issuer.metadata.prompt_values_supported, ['none', 'login']);
  step('discovery names end_session_endpoint and prompt values');
  const client = (app) => new issuer.Client({
    client_id: app.client_id, client_secret: app.client_secret, redirect_uris: [app.redirectUri],
    post_logout_redirect_uris: [app.redirectUri], response_types: ['code'],
    id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic',
  });
  const taxClient = client(tax);
  const bankClient = client(bank);
  const socialClient = client(social);

  const start = (c, extra = {}) => {
    const verifier = generators.codeVerifier();
    const checks = { code_verifier: verifier, state: generators.state(), nonce: generators.nonce() };
    const url = c.authorizationUrl({ scope: 'openid profile', code_challenge: generators.codeChallenge(verifier),
      code_challenge_method: 'S256', state: checks.state, nonce: checks.nonce, ...extra });
    return { url, checks };
  };
  const finish = (c, app, location, checks) => c.callback(app.redirectUri, c.callbackParams(location), checks);

  // 1. The holder scans once, for the tax bureau.
  const browser = new Browser();
  const t = start(taxClient);
  const a = await browser.get(t.url);
  assert.equal(a.status, 302);
  const loginPage = new URL(a.headers.get('location'), issuerUrl);
  assert.match(loginPage.pathname, /^\/login\//, 'no session yet: the QR page');
  const html = await (await browser.get(loginPage)).text();
  const qrText = unescapeHtml(html.match(/id="qr-text"[^>]*>([^<]+)</)[1].trim());
  const returnUrl = unescapeHtml(html.match(/data-return-url="([^"]*)"/)[1]);
  execFileSync(walletBin, ['--wallet', path.join(sandboxDir, wallet.path), '--password', wallet.password,
    'scan', qrText, '--approve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const back = await fetch(new URL(returnUrl, issuerUrl), { redirect: 'manual', headers: { cookie: browser.header() } });
  const set = browser.take(back);
  assert.equal(back.status, 302);
  const sso = set.find((c) => c.startsWith('zhaoyin_sso='));
  assert.ok(sso, 'the confirmed login opens a provider session');
  assert.match(sso, /; Path=\/oidc(;|$)/);
  assert.match(sso, /; HttpOnly/);
  assert.match(sso, /; SameSite=Lax/);
  const taxTokens = await finish(taxClient, tax, back.headers.get('location'), t.checks);
  const taxClaims = taxTokens.claims();
  assert.equal(taxClaims.uscc, wallet.uscc);
  step(`scanned once for ${tax.client_id}: sub ${taxClaims.sub}, provider session cookie set (Path=/oidc, HttpOnly, SameSite=Lax)`);

  // 2. The bank, same browser, prompt=none: a code with no scan.
  const b = start(bankClient, { prompt: 'none' });
  const silent = await browser.get(b.url);
  assert.equal(silent.status, 302);
  const silentLocation = silent.headers.get('location');
  assert.ok(silentLocation.startsWith(bank.redirectUri + '?'), `straight back to the bank: ${silentLocation}`);
  const bankTokens = await finish(bankClient, bank, silentLocation, b.checks);
  const bankClaims = bankTokens.claims();
  assert.equal(bankClaims.aud, bank.client_id);
  assert.equal(bankClaims.sub, taxClaims.sub, 'the same enterprise sub at both relying parties');
  assert.equal(bankClaims.auth_time, taxClaims.auth_time, 'auth_time is the QR login');
  assert.equal(bankClaims.holder.name, wallet.holder);
  const info = await bankClient.userinfo(bankTokens);
  assert.equal(info.sub, taxClaims.sub);
  step('bank signed in with prompt=none: same sub, same auth_time, userinfo');

  // 3. Interactive request: also no scan.
  const b2 = start(bankClient);
  const again = await browser.get(b2.url);
  assert.ok(again.headers.get('location').startsWith(bank.redirectUri + '?code='), 'no prompt: silent too');
  await finish(bankClient, bank, again.headers.get('location'), b2.checks);
  step('bank signed in again without prompt: no scan');

  // 4. prompt=login and max_age=0 ask for the QR page.
  for (const extra of [{ prompt: 'login' }, { max_age: '0' }]) {
    const r = await browser.get(start(bankClient, extra).url);
    assert.equal(r.status, 302);
    assert.match(new URL(r.headers.get('location'), issuerUrl).pathname, /^\/login\//, JSON.stringify(extra));
  }
  const tooOld = start(bankClient, { prompt: 'none', max_age: '0' });
  await assert.rejects(finish(bankClient, bank, (await browser.get(tooOld.url)).headers.get('location'), tooOld.checks),
    (e) => e instanceof errors.OPError && e.error === 'login_required');
  step('prompt=login and max_age=0 show the QR page; prompt=none with max_age=0: login_required');

  // 5. Refusals with prompt=none: the 河南 platform (out of scope), another browser, a forged cookie.
  const s = start(socialClient, { prompt: 'none' });
  await assert.rejects(finish(socialClient, social, (await browser.get(s.url)).headers.get('location'), s.checks),
    (e) => e instanceof errors.OPError && e.error === 'login_required' && /out_of_scope/.test(e.error_description));
  step('河南 social insurance: login_required (out_of_scope) although the session is open');
  const other = start(bankClient, { prompt: 'none' });
  await assert.rejects(finish(bankClient, bank, (await new Browser().get(other.url)).headers.get('location'), other.checks),
    (e) => e instanceof errors.OPError && e.error === 'login_required');
  const forgedBrowser = new Browser();
  forgedBrowser.cookies.set('zhaoyin_sso', browser.cookies.get('zhaoyin_sso').slice(0, -2) + 'AA');
  const forged = start(bankClient, { prompt: 'none' });
  await assert.rejects(finish(bankClient, bank, (await forgedBrowser.get(forged.url)).headers.get('location'), forged.checks),
    (e) => e instanceof errors.OPError && e.error === 'login_required');
  step('another browser and a forged cookie: login_required');

  // 6. Logout.
  const confirm = await browser.get(`${issuerUrl}/oidc/logout?client_id=${encodeURIComponent(bank.client_id)}`);
  assert.equal(confirm.status, 200);
  assert.match(await confirm.text(), /<form method="post" action="\/oidc\/logout">/);
  const stillOpen = start(bankClient, { prompt: 'none' });
  assert.ok((await browser.get(stillOpen.url)).headers.get('location').includes('code='),
    'a GET without id_token_hint ends nothing');
  const hint = bankTokens.id_token;
  const parts = hint.split('.');
  const forgedHint = [parts[0], Buffer.from(JSON.stringify({ iss: issuerUrl, aud: bank.client_id })).toString('base64url'), parts[2]].join('.');
  const badHint = await browser.get(bankClient.endSessionUrl({ id_token_hint: forgedHint, post_logout_redirect_uri: bank.redirectUri }));
  assert.equal(badHint.status, 400);
  assert.match(await badHint.text(), /invalid_id_token_hint/);
  const badUri = await browser.get(bankClient.endSessionUrl({ id_token_hint: hint, post_logout_redirect_uri: 'https://evil.example/bye' }));
  assert.equal(badUri.status, 400);
  assert.match(await badUri.text(), /invalid_redirect_uri/);
  const cookieBefore = browser.cookies.get('zhaoyin_sso');
  const out = await browser.get(bankClient.endSessionUrl({ id_token_hint: hint, post_logout_redirect_uri: bank.redirectUri, state: 'bye 1' }));
  assert.equal(out.status, 302);
  assert.equal(out.headers.get('location'), bank.redirectUri + '?state=bye%201');
  assert.equal(browser.cookies.has('zhaoyin_sso'), false, 'the cookie is cleared');
  const replayBrowser = new Browser();
  replayBrowser.cookies.set('zhaoyin_sso', cookieBefore);
  const after = start(taxClient, { prompt: 'none' });
  await assert.rejects(finish(taxClient, tax, (await replayBrowser.get(after.url)).headers.get('location'), after.checks),
    (e) => e instanceof errors.OPError && e.error === 'login_required');
  step('logout: confirmation page without a hint, forged hint and unregistered URI refused, then ended (the old cookie is dead)');

  console.log('PASS oidc single sign-on');
}

main().catch((e) => {
  console.error('FAIL ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
