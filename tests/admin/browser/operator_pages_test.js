// Headless Chromium through the operator's pages: sign in as the sandbox's
// operator, open plugins (and save a setting), scripts, audit and usage, take
// a screenshot of each, sign out. Every page runs under the admin
// Content-Security-Policy (script-src 'self', no 'unsafe-inline'): any CSP
// violation reported by Chromium fails the test. Usage:
//   node operator_pages_test.js URL USERNAME PASSWORD SCREENSHOT_DIR
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  const [url, username, password, outDir] = process.argv.slice(2);
  const profile = fs.mkdtempSync(path.join(outDir, 'chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'
    ],
  });
  const shot = (page, name) => page.screenshot({ path: path.join(outDir, name + '.png'), fullPage: true });
  try {
    const page = await browser.newPage();
    // Chromium reports a blocked script or style as a console error and a
    // securitypolicyviolation event (the listener is installed by DevTools, so
    // the page's own CSP does not stop it).
    const violations = [];
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
      });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|CSP violation/.test(msg.text())) violations.push(msg.text());
    });
    page.on('pageerror', (err) => violations.push('page error: ' + err.message));
    const adminPage = await page.goto(url + '/admin/login');
    const csp = adminPage.headers()['content-security-policy'] || '';
    expect(/script-src 'self'(;|$)/.test(csp) && !/script-src[^;]*unsafe-inline/.test(csp),
      'the admin CSP allows inline scripts: ' + csp);
    expect(csp.includes("frame-ancestors 'none'") && adminPage.headers()['x-frame-options'] === 'DENY',
      'the admin pages may be framed: ' + csp);
    // Any page sends an anonymous visitor to the sign-in form, and back after it.
    await page.goto(url + '/admin/plugins');
    expect(page.url().includes('/admin/login?next='), 'expected the sign-in page, got ' + page.url());
    await page.fill('#username', username);
    await page.fill('#password', password);
    await shot(page, 'admin-login');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(new URL(page.url()).pathname === '/admin/plugins', 'not back on /admin/plugins: ' + page.url());
    expect((await page.textContent('.whoami')).includes('运维管理员'), 'the header does not show the role');
    expect(await page.$('.sandbox-ribbon'), 'no Sandbox ribbon');

    // Plugins: the tax plugin's form, built from its schema; save a value.
    await page.waitForSelector('#plugin-tax form.plugin-config');
    await page.fill('#plugin-tax input[name="cfg.default_quantity"]', '40');
    await Promise.all([page.waitForNavigation(), page.click('#plugin-tax form.plugin-config button[type=submit]')]);
    expect(page.url().includes('saved=tax'), 'saving did not redirect with saved=tax: ' + page.url());
    expect((await page.inputValue('#plugin-tax input[name="cfg.default_quantity"]')) === '40', 'the value was not kept');
    await shot(page, 'admin-plugins');
    // A wrong value is shown next to its field.
    await page.fill('#plugin-tax input[name="cfg.default_quantity"]', 'many');
    await Promise.all([page.waitForNavigation(), page.click('#plugin-tax form.plugin-config button[type=submit]')]);
    expect(await page.$('#plugin-tax .field.has-error .field-error'), 'no field error next to the field');
    await shot(page, 'admin-plugins-error');

    await page.click('nav.admin-nav a[data-nav=scripts]');
    await page.waitForSelector('h1');
    expect((await page.textContent('h1')).includes('脚本'), 'not the scripts page');
    await shot(page, 'admin-scripts');

    await page.click('nav.admin-nav a[data-nav=usage]');
    await page.waitForSelector('section.usage-app svg.chart');
    await shot(page, 'admin-usage');

    await page.click('nav.admin-nav a[data-nav=audit]');
    await page.waitForSelector('table.audit');
    const audit = await page.textContent('table.audit');
    expect(audit.includes('plugin_config_saved') && audit.includes('sign_in'), 'the audit log lacks the actions: ' + audit);
    await shot(page, 'admin-audit');

    await Promise.all([page.waitForNavigation(), page.click('.whoami button[type=submit]')]);
    expect(page.url().includes('/admin/login'), 'sign-out did not land on the sign-in page');
    await page.goto(url + '/admin/audit');
    expect(page.url().includes('/admin/login?next='), 'the session survived sign-out');
    expect(violations.length === 0, 'CSP violations on the admin pages:\n' + violations.join('\n'));
    console.log('operator pages ok');
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
