// The 附件2 scenario register in headless Chromium, as a department's staff
// would use it: the reviewer opens 场景清单 from the navigation, sees both
// rows of the approved application, filters by 应用功能 线上扫码登录 (one row
// left, the export links carry the filter), downloads the CSV (UTF-8 with a
// byte order mark, 附件2's header), opens the 办事指南 of the remaining row.
// No CSP violation, no page error.
// Usage: node register_test.js CONFIG.json  with
//   {"url","reviewer":{"username","password"},"out_dir","docs_dir"?}
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const { url, out_dir: outDir } = config;
  const profile = fs.mkdtempSync(path.join(outDir, 'chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60000);
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
    const navigate = async (action) => {
      const [response] = await Promise.all([page.waitForNavigation(), action()]);
      return response;
    };
    const snap = async (name, docName) => {
      await page.screenshot({ path: path.join(outDir, name + '.png'), fullPage: true });
      if (docName && config.docs_dir) await page.screenshot({ path: path.join(config.docs_dir, docName), fullPage: true });
    };

    await page.goto(url + '/admin/login');
    await page.fill('#username', config.reviewer.username);
    await page.fill('#password', config.reviewer.password);
    await navigate(() => page.click('form[action="/admin/login"] button[type=submit]'));
    check(!page.url().includes('/admin/login'), 'sign-in failed');

    // 1. From the navigation to the register: both rows.
    await navigate(() => page.click('a[data-nav=scenarios]'));
    check(page.url().endsWith('/admin/scenarios'), 'the navigation did not lead to the register: ' + page.url());
    const matters = async () => page.$$eval('#register tbody tr[data-matter]', (rows) => rows.map((r) => r.dataset.matter));
    const all = await matters();
    check(all.includes('电子政务/税务/发票申领') && all.includes('电子政务/税务/纳税申报'), 'rows missing: ' + all);
    await snap('register', 'admin-scenarios-register.png');

    // 2. Filter by 应用功能 线上扫码登录: only 纳税申报 is left, the exports follow.
    await page.selectOption('#filter-function', 'login');
    await navigate(() => page.click('#apply-filters'));
    const filtered = await matters();
    check(filtered.length === 1 && filtered[0] === '电子政务/税务/纳税申报', 'filtered rows: ' + filtered);
    check((await page.inputValue('#filter-function')) === 'login', 'the filter was not kept');
    const csvHref = await page.getAttribute('#export-csv', 'href');
    check(csvHref.includes('function=login'), 'the CSV link lost the filter: ' + csvHref);

    // 3. The CSV as the browser downloads it.
    const csv = await page.request.get(url + csvHref);
    check(csv.status() === 200, 'CSV status ' + csv.status());
    const bytes = await csv.body();
    check(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, 'the CSV has no byte order mark');
    const text = bytes.toString('utf8').slice(1);
    check(text.startsWith('"序号","应用事项名称","实施部门","办事系统","应用功能","备注"\r\n'), 'CSV header: ' + text.slice(0, 80));
    check(text.split('\r\n').filter((l) => l).length === 2, 'the CSV is not filtered: ' + text);

    // 4. The 办事指南 of the row.
    await navigate(() => page.click('#register tbody tr[data-matter] a:has-text("办事指南")'));
    check((await page.textContent('#guide-matter')) === '电子政务/税务/纳税申报', 'the guide is of another matter');
    check(await page.isVisible('.guide-function[data-function=login]'), 'no login steps in the guide');
    await snap('guide', 'admin-scenarios-guide.png');

    check(violations.length === 0, 'CSP violations or page errors: ' + violations.join('; '));
    console.log('scenario register ok');
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
