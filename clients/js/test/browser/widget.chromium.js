// The widget in headless Chromium (Debian's /usr/bin/chromium, playwright-core
// from npm) against a real zhaoyin-host with the real wallet simulator
// answering, embedded in a relying party's portal on another origin
// (rp_server.js) that proxies the host's public endpoints:
//  1. login over SSE (through the portal's relay): the wallet approves, the
//     page hears `confirmed` and its server reads the verified enterprise;
//  2. the same with the SSE stream blocked: the widget falls back to the
//     long-poll and still reports the result;
//  3. expiry and renewal: a 10 s login expires, the renew button (page
//     token) makes a new session, the wallet approves the new QR, the result
//     names the new session; a widget not given the page token reports the
//     expiry as the result and offers no button; one with autoRenew renews
//     without a click;
//  4. a sign task: the wallet signs with the company seal, the page hears `signed`;
//  and for each, the host's signed callback reaches the portal's server and
//  passes verifyWebhook (the host must allow http callbacks to 127.0.0.1).
// Every request the browser makes outside the portal's origin is aborted and
// fails the test: the page needs nothing from the host's origin directly.
// Usage: node widget.chromium.js CONFIG.json (url, client_id, client_secret,
// wallet_bin, wallet_file, wallet_password, out_dir).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startRpServer } from './rp_server.js';

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Generous bounds so a broken run ends instead of hanging; nothing is timed.
const WAIT = { timeout: 90000 };

async function main() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const rp = await startRpServer({ hostUrl: cfg.url, clientId: cfg.client_id, clientSecret: cfg.client_secret });
  const profile = fs.mkdtempSync(path.join(cfg.out_dir, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 900, height: 760 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const elsewhere = [];
  const pageErrors = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (new URL(target).origin === rp.origin) return route.continue();
    elsewhere.push(target);
    return route.abort();
  });
  const shot = (page, name) => page.screenshot({ path: path.join(cfg.out_dir, name + '.png'), fullPage: true });
  const wallet = (...args) => execFileSync(cfg.wallet_bin, ['--wallet', cfg.wallet_file, '--password', cfg.wallet_password, 'scan', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const events = (page) => page.evaluate(() => window.zhaoyinEvents);
  const results = async (page) => (await events(page)).filter((e) => e.type === 'result');
  const seenFor = (id) => rp.seen.filter((s) => s.includes(id));
  // Callbacks come from the host's background worker, soon after the change.
  async function callbackFor(id, status) {
    for (let i = 0; i < 600; ++i) {
      if (rp.callbacks.some((c) => c.id === id && c.status === status)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no verified callback for ${id} ${status}; got ${JSON.stringify(rp.callbacks)}, refused ${rp.refusedCallbacks}`);
  }

  // Opens the portal, waits for the widget's first status, returns the page and the session/task id and QR text.
  async function open(query) {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(rp.origin + '/' + query);
    await page.waitForSelector('.zhaoyin-widget[data-status=pending][data-qr-text]', WAIT);
    const id = await page.getAttribute('.zhaoyin-widget', 'data-id');
    const qr = await page.getAttribute('.zhaoyin-widget', 'data-qr-text');
    // The QR image came through the portal's proxy and is a real picture.
    expect(await page.evaluate(() => document.querySelector('.zhaoyin-qr').naturalWidth > 0), 'the QR image did not load');
    return { page, id, qr };
  }

  try {
    // 1. Login over SSE.
    {
      const { page, id, qr } = await open('?flow=login');
      expect(await page.getAttribute('.zhaoyin-widget', 'data-transport') === 'sse', 'the widget did not start on SSE');
      expect(await page.isVisible('.zhaoyin-expiry'), 'no time left shown');
      await shot(page, 'widget-login-pending');
      wallet(qr, '--approve');
      await page.waitForSelector('#outcome[data-status=confirmed]', WAIT);
      const r = await results(page);
      expect(r.length === 1 && r[0].detail.sessionId === id && r[0].detail.status === 'confirmed', 'login result: ' + JSON.stringify(r));
      expect(await page.getAttribute('.zhaoyin-widget', 'data-transport') === 'sse', 'the login fell back from SSE');
      const statuses = (await events(page)).filter((e) => e.type === 'status').map((e) => e.detail.status);
      expect(statuses.join(',') === 'pending,scanned,confirmed', 'statuses over SSE: ' + statuses);
      expect(seenFor(id).includes(`GET /rp/login-sessions/${id}/events`), 'no SSE relay request');
      expect(!seenFor(id).some((s) => s.endsWith('/state')), 'SSE worked, yet the widget polled: ' + seenFor(id));
      expect((await page.textContent('#outcome')).length > 0, 'the portal did not name the enterprise');
      await shot(page, 'widget-login-confirmed');
      await callbackFor(id, 'confirmed');
      await page.close();
    }

    // 2. SSE blocked (the stream's request fails at the network): long-poll.
    {
      await context.route('**/rp/login-sessions/*/events', (route) => route.abort());
      const { page, id, qr } = await open('?flow=login');
      await page.waitForSelector('.zhaoyin-widget[data-transport=long-poll]', WAIT);
      wallet(qr, '--approve');
      await page.waitForSelector('#outcome[data-status=confirmed]', WAIT);
      const r = await results(page);
      expect(r.length === 1 && r[0].detail.sessionId === id && r[0].detail.status === 'confirmed', 'fallback result: ' + JSON.stringify(r));
      expect(seenFor(id).includes(`GET /zhaoyin/login/${id}/state`), 'the fallback never polled: ' + seenFor(id));
      const last = (await events(page)).filter((e) => e.type === 'status').pop();
      expect(last.detail.transport === 'long-poll', 'the confirmation did not come by long-poll');
      await shot(page, 'widget-login-long-poll');
      await page.close();
      await context.unroute('**/rp/login-sessions/*/events');
    }

    // 3. Expiry and renewal with the page token.
    {
      const { page, id, qr } = await open('?flow=login&ttl=10');
      // Beside it, a page that was not given the page token: its expiry is
      // final; and one that renews by itself (autoRenew).
      const bare = await open('?flow=login&ttl=10&no_page_token=1');
      const auto = await open('?flow=login&ttl=10&auto_renew=1');
      await page.waitForSelector('.zhaoyin-widget[data-status=expired] .zhaoyin-renew:not([hidden])', WAIT);
      await bare.page.waitForSelector('.zhaoyin-widget[data-status=expired]', WAIT);
      const bareResults = await results(bare.page);
      expect(bareResults.length === 1 && bareResults[0].detail.status === 'expired' && bareResults[0].detail.sessionId === bare.id,
        'without a page token: ' + JSON.stringify(bareResults));
      expect(await bare.page.isHidden('.zhaoyin-renew'), 'a widget without the page token offers renewal');
      await bare.page.close();
      await auto.page.waitForFunction((old) => {
        const w = document.querySelector('.zhaoyin-widget');
        return w.dataset.id !== old && w.dataset.status === 'pending';
      }, auto.id, WAIT);
      const autoEvents = await events(auto.page);
      expect(autoEvents.some((e) => e.type === 'renewed' && e.detail.previousId === auto.id) &&
        !autoEvents.some((e) => e.type === 'result'), 'autoRenew: ' + JSON.stringify(autoEvents));
      await auto.page.close();
      expect((await results(page)).length === 0, 'a renewable expiry was reported as the result');
      await shot(page, 'widget-login-expired');
      await page.click('.zhaoyin-renew');
      await page.waitForFunction((old) => {
        const w = document.querySelector('.zhaoyin-widget');
        return w.dataset.id !== old && w.dataset.status === 'pending' && w.dataset.qrText;
      }, id, WAIT);
      const renewed = (await events(page)).filter((e) => e.type === 'renewed');
      const newId = await page.getAttribute('.zhaoyin-widget', 'data-id');
      const newQr = await page.getAttribute('.zhaoyin-widget', 'data-qr-text');
      expect(renewed.length === 1 && renewed[0].detail.previousId === id && renewed[0].detail.sessionId === newId,
        'renewed event: ' + JSON.stringify(renewed));
      expect(newQr !== qr, 'the renewed session shows the old QR');
      expect(seenFor(id).includes(`POST /zhaoyin/login/${id}/renew`), 'no renewal through the proxy');
      await shot(page, 'widget-login-renewed');
      wallet(newQr, '--approve');
      await page.waitForSelector('#outcome[data-status=confirmed]', WAIT);
      const r = await results(page);
      expect(r.length === 1 && r[0].detail.sessionId === newId && r[0].detail.status === 'confirmed', 'renewed result: ' + JSON.stringify(r));
      // The old QR is dead: the wallet's answer to it is refused by the host.
      let oldRefused = false;
      try { wallet(qr, '--approve'); } catch (e) { oldRefused = true; }
      expect(oldRefused, 'the expired QR was still accepted');
      await callbackFor(id, 'expired');
      await callbackFor(newId, 'confirmed');
      await page.close();
    }

    // 4. A sign task.
    {
      const { page, id, qr } = await open('?flow=sign');
      expect(await page.isVisible('.zhaoyin-detail'), 'no seals due shown');
      await shot(page, 'widget-sign-pending');
      wallet(qr, '--approve', '--seal', 'company');
      await page.waitForSelector('#outcome[data-status=signed]', WAIT);
      const r = await results(page);
      expect(r.length === 1 && r[0].detail.taskId === id && r[0].detail.status === 'signed', 'sign result: ' + JSON.stringify(r));
      expect(await page.getAttribute('.zhaoyin-widget', 'data-transport') === 'sse', 'the sign task fell back from SSE');
      await shot(page, 'widget-sign-signed');
      await callbackFor(id, 'signed');
      await page.close();
    }

    expect(rp.refusedCallbacks.length === 0, 'callbacks failed verifyWebhook: ' + rp.refusedCallbacks.join(', '));
    expect(pageErrors.length === 0, 'errors on the page: ' + pageErrors.join('; '));
    expect(elsewhere.length === 0, 'the page reached outside the portal: ' + elsewhere.join(', '));
    console.log('widget ok');
  } finally {
    await context.close();
    await rp.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
