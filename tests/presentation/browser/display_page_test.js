// Headless Chromium on a phone (375 px): the display code page a camera opens.
// A valid code shows the green verdict, the shop's label and the enterprise;
// the page fits the width (no horizontal scrolling) and its CSP reports
// nothing; after the enterprise revoked the code the page says so.
// Usage: node display_page_test.js VALID_URL REVOKED_URL ENTERPRISE LABEL SCREENSHOT_DIR
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

async function check(page, url, verdict, expectText, shot) {
  const problems = [];
  page.removeAllListeners('console');
  page.removeAllListeners('response');
  // Console errors other than a failed load (a CSP violation, a script
  // error); failed loads are checked by URL, the browser's own favicon probe aside.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico') && r.url() !== url) problems.push(r.status() + ' ' + r.url());
  });
  const response = await page.goto(url);
  if (response.status() !== 200) throw new Error(url + ': status ' + response.status());
  const shown = await page.getAttribute('[data-verdict]', 'data-verdict');
  if (shown !== verdict) throw new Error('expected verdict ' + verdict + ', the page shows ' + shown);
  const text = await page.textContent('body');
  for (const t of expectText) if (!text.includes(t)) throw new Error('the page lacks "' + t + '"');
  // Nothing may reach beyond the 375-px screen (no sideways scrolling on a phone).
  const widest = await page.evaluate(() => Math.max(document.documentElement.scrollWidth,
    ...Array.from(document.body.querySelectorAll('*'), (e) => Math.ceil(e.getBoundingClientRect().right))));
  if (widest > 375) throw new Error('the page reaches ' + widest + ' px, wider than the 375-px screen');
  if (problems.length) throw new Error('console errors (CSP?): ' + problems.join('; '));
  await page.screenshot({ path: shot, fullPage: true });
}

async function main() {
  const [validUrl, revokedUrl, enterprise, label, outDir] = process.argv.slice(2);
  const profile = fs.mkdtempSync(path.join(outDir, 'chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await check(page, validUrl, 'valid', [enterprise, label, '统一社会信用代码', '存续'],
                path.join(outDir, 'display-valid.png'));
    await check(page, revokedUrl, 'revoked_by_enterprise', [enterprise, '已由企业撤销'],
                path.join(outDir, 'display-revoked.png'));
    if (process.env.ZHAOYIN_KEEP_SCREENSHOT_DIR) {
      for (const f of ['display-valid.png', 'display-revoked.png'])
        fs.copyFileSync(path.join(outDir, f), path.join(process.env.ZHAOYIN_KEEP_SCREENSHOT_DIR, f));
    }
    console.log('display page ok');
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
