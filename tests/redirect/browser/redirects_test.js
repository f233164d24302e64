// Headless Chromium against tricky redirect targets (issue 17, items 4 and 6):
//  1. the staff sign-in's next= — signed in, /admin/login?next=<tricky> must
//     land on the host's own /admin/, never elsewhere;
//  2. OIDC /oidc/authorize with a tricky redirect_uri — the browser stays on
//     the host's error page (RFC 6749 §4.1.2.1); the registered URI, byte for
//     byte, goes on to the hosted QR page;
//  3. the hosted login page — after expiry its "new QR code" button renews
//     with the page token from the URL fragment, the wallet approves the new
//     QR, and the browser goes to the session's return_url and nowhere else;
//  4. the hosted signing page /sign/{id} — the wallet signs, and the page goes
//     to the task's return_url.
// Every request the browser makes to another origin is aborted and recorded;
// the test fails if there is any. Usage: node redirects_test.js CONFIG.json
// (url, client_id, client_secret, redirect_uri, staff_username,
// staff_password, wallet_bin, wallet_file, wallet_password, out_dir).
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Browsers strip these from URLs, read '\' as '/', and so on: each must be refused by the host.
const TRICKY_NEXT = [
  '/\t/evil.example/', '/\n/evil.example/', '//evil.example', '/\\evil.example', '\\/evil.example',
  'https://evil.example/', 'https://good.example@evil.example/', 'javascript:alert(document.domain)',
  '/%2f/evil.example', '/admin/..//evil.example', '/admin/\t/evil.example', ' //evil.example',
];

function trickyRedirectUris(registered) {
  const u = new URL(registered);  // e.g. http://127.0.0.1:8080/demo/oidc/callback
  return [
    '/\t/evil.example/',
    `${u.protocol}//${u.host}\\@evil.example${u.pathname}`,
    '//evil.example',
    `${u.protocol}//${u.host}@evil.example${u.pathname}`,
    `https://evil.example%2f@${u.host}${u.pathname}`,
    'https://例子.测试/',
    'https://evil.example./cb',
    `${u.protocol}//LOCALHOST:${u.port}${u.pathname}`,  // upper-case host (the registered one is lower-case)
    registered + '\t',
    registered + '/',
    'javascript:alert(document.domain)',
  ];
}

async function main() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const origin = new URL(cfg.url).origin;
  const profile = fs.mkdtempSync(path.join(cfg.out_dir, 'chromium-'));  // an empty --user-data-dir
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const escapes = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    let sameOrigin = false;
    try { sameOrigin = new URL(target).origin === origin; } catch (e) { sameOrigin = false; }
    if (sameOrigin) return route.continue();
    escapes.push(target);
    return route.abort();
  });
  const shot = (page, name) => page.screenshot({ path: path.join(cfg.out_dir, name + '.png'), fullPage: true });
  try {
    const page = await context.newPage();

    // 1. Staff sign-in, next= (a tricky one on the sign-in form itself too).
    await page.goto(cfg.url + '/admin/login?next=' + encodeURIComponent('//evil.example/'));
    await page.fill('#username', cfg.staff_username);
    await page.fill('#password', cfg.staff_password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(page.url() === cfg.url + '/admin/', 'sign-in with next=//evil.example/ landed on ' + page.url());
    for (const next of TRICKY_NEXT) {
      await page.goto(cfg.url + '/admin/login?next=' + encodeURIComponent(next));
      expect(page.url() === cfg.url + '/admin/', `next=${JSON.stringify(next)} landed on ${page.url()}`);
    }
    await page.goto(cfg.url + '/admin/login?next=' + encodeURIComponent('/admin/audit'));
    expect(page.url() === cfg.url + '/admin/audit', 'a proper next=/admin/audit landed on ' + page.url());
    await shot(page, 'redirect-admin-next');

    // 2. OIDC authorize: refused on the host's page, never redirected.
    const authorize = (redirectUri) => cfg.url + '/oidc/authorize?' + new URLSearchParams({
      client_id: cfg.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid',
      state: 'st', nonce: 'n', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    for (const uri of trickyRedirectUris(cfg.redirect_uri)) {
      const response = await page.goto(authorize(uri));
      expect(response.status() === 400, `redirect_uri ${JSON.stringify(uri)}: status ${response.status()}`);
      expect(page.url().startsWith(cfg.url + '/oidc/authorize?'), `redirect_uri ${JSON.stringify(uri)} left for ${page.url()}`);
      expect((await page.content()).includes('invalid_redirect_uri'), `redirect_uri ${JSON.stringify(uri)}: no invalid_redirect_uri`);
    }
    await shot(page, 'redirect-oidc-refused');
    await page.goto(authorize(cfg.redirect_uri));
    expect(/\/login\/[A-Za-z0-9_-]+#page_token=[A-Za-z0-9_-]+$/.test(page.url()) && page.url().startsWith(cfg.url + '/login/'),
      'the registered redirect_uri did not lead to the hosted page: ' + page.url());

    // 3. The hosted page: expiry, renewal with the page token, approval, return_url.
    const tokenReply = await fetch(cfg.url + '/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: cfg.client_id,
        client_secret: cfg.client_secret, scope: 'login' }).toString(),
    });
    const token = (await tokenReply.json()).access_token;
    expect(token, 'no access token');
    const created = await fetch(cfg.url + '/api/v1/login-sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ ttl: 10, return_url: '/healthz' }),
    });
    expect(created.status === 201, 'create: ' + created.status);
    const session = await created.json();
    expect(session.page_url.includes('#page_token='), 'page_url without page token: ' + session.page_url);

    await page.goto(session.page_url);
    await page.waitForSelector('#renew:not([hidden])', { timeout: 60000 });  // shown once expired
    // The same page without its token cannot renew: no button.
    const bare = await context.newPage();
    await bare.goto(cfg.url + '/login/' + session.id);
    await bare.waitForSelector('#status[data-status=expired]', { timeout: 60000 });
    expect(await bare.isHidden('#renew'), 'a page without the token offers renewal');
    await bare.close();
    await shot(page, 'redirect-page-expired');

    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/login/') && !u.pathname.endsWith(session.id)),
      page.click('#renew')]);
    expect(page.url().startsWith(cfg.url + '/login/') && page.url().includes('#page_token='),
      'renewal went to ' + page.url());
    const qr = await page.getAttribute('#qr-text', 'data-qr-text');
    expect(qr && qr !== session.qr_text, 'no new QR after renewal');
    await shot(page, 'redirect-page-renewed');
    execFileSync(cfg.wallet_bin, ['--wallet', cfg.wallet_file, '--password', cfg.wallet_password, 'scan', qr, '--approve']);
    await page.waitForURL(cfg.url + '/healthz', { timeout: 60000 });

    // 4. The hosted signing page: it follows the task and returns to return_url once signed, not before.
    const signToken = await fetch(cfg.url + '/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: cfg.client_id,
        client_secret: cfg.client_secret, scope: 'signature' }).toString(),
    }).then((r) => r.json());
    const taskReply = await fetch(cfg.url + '/api/v1/sign-tasks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + signToken.access_token },
      body: JSON.stringify({ document: { name: '申请书.txt', data: Buffer.from('申请书').toString('base64') },
        seals: { types: ['company'] }, return_url: '/healthz?signed=1' }),
    });
    expect(taskReply.status === 201, 'create sign task: ' + taskReply.status);
    const task = await taskReply.json();
    await page.goto(task.page_url);
    await page.waitForSelector('#status[data-status=pending]');
    expect((await page.textContent('#document-name')) === '申请书.txt', 'the page does not name the document');
    await shot(page, 'sign-page-pending');
    execFileSync(cfg.wallet_bin, ['--wallet', cfg.wallet_file, '--password', cfg.wallet_password, 'scan',
      task.qr_text, '--approve', '--seal', 'company']);
    await page.waitForURL(cfg.url + '/healthz?signed=1', { timeout: 60000 });

    expect(escapes.length === 0, 'the browser tried to leave the host: ' + escapes.join(', '));
    console.log('redirects ok');
  } finally {
    await context.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
