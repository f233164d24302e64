// Headless Chromium at the counter: sign in, scan a fresh code (typed + Enter
// as a scanner gun does), see the green card; scan it again, see the replay
// refusal. Usage: node counter_test.js URL CLIENT_ID SECRET CODE ENTERPRISE SCREENSHOT_DIR
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

async function main() {
  const [url, clientId, secret, code, enterprise, outDir] = process.argv.slice(2);
  const profile = fs.mkdtempSync(path.join(outDir, 'chromium-'));
  // A fresh profile folder per run (launchPersistentContext is how
  // playwright takes --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url + '/counter');
    await page.fill('#client-id', clientId);
    await page.fill('#client-secret', secret);
    await page.click('button[type=submit]');
    await page.waitForSelector('#scan', { state: 'visible', timeout: 60000 });

    await page.keyboard.type(code);  // the scan field has the focus
    await page.keyboard.press('Enter');
    await page.waitForSelector('#result [data-verdict]', { timeout: 60000 });
    const card = await page.textContent('#result');
    if (!(await page.$('#result [data-verdict=accepted]'))) throw new Error('the code was refused: ' + card);
    if (!card.includes(enterprise)) throw new Error('the green card lacks the enterprise name: ' + card);
    if ((await page.inputValue('#scan')) !== '') throw new Error('the scan field was not cleared');
    await page.screenshot({ path: path.join(outDir, 'counter-accepted.png'), fullPage: true });

    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#result [data-verdict=refused]', { timeout: 60000 });
    const refused = await page.getAttribute('#result', 'data-code');
    if (refused !== 'code_already_used') throw new Error('expected code_already_used, got ' + refused);
    await page.screenshot({ path: path.join(outDir, 'counter-replay.png'), fullPage: true });
    if (process.env.ZHAOYIN_KEEP_SCREENSHOT) fs.copyFileSync(path.join(outDir, 'counter-accepted.png'), process.env.ZHAOYIN_KEEP_SCREENSHOT);
    console.log('counter page ok');
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
