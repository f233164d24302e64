// The operator's 授权事项目录 in headless Chromium, as staff would use it:
//   the operator opens 事项目录 from the navigation, tries to add
//   (电子政务)-(市场监管)-(动产抵押) and is told the starter catalogue has it,
//   adds (电子政务)-(市场监管)-(动产抵押注销) and renames it, imports a CSV
//   file with a bad line (refused, every bad line listed, nothing changed),
//   fixes it and imports it, downloads the export; the applicant picks
//   动产抵押 and the new matter in the application form and submits, and
//   saves a second application as a draft with the new matter; the operator
//   retires it; the applicant's new form no longer offers it, the draft shows
//   it as 已停用 and submitting it is refused next to the field; the first
//   application stays submitted. No CSP violation, no page error.
// Usage: node catalogue_test.js CONFIG.json  with
//   {"url","operator":{"username","password"},"applicant":{...},"out_dir","docs_dir"?}
// docs_dir (optional): the screenshots docs/ADMIN.md shows are also written there.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const NEW_MATTER = '电子政务/市场监管/动产抵押注销';

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
  let shot = 0;
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
    const snap = async (name, docName) => {
      shot++;
      const file = path.join(outDir, `${String(shot).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      // The documentation's copy is the window as the operator sees it (the
      // whole catalogue is several screens long).
      if (docName && config.docs_dir) await page.screenshot({ path: path.join(config.docs_dir, docName) });
    };
    const navigate = async (action) => {
      const [response] = await Promise.all([page.waitForNavigation(), action()]);
      return response;
    };
    const signIn = async (who) => {
      await page.goto(url + '/admin/login');
      await page.fill('#username', who.username);
      await page.fill('#password', who.password);
      await navigate(() => page.click('form[action="/admin/login"] button[type=submit]'));
      check(!page.url().includes('/admin/login'), 'sign-in failed for ' + who.username);
    };
    const signOut = async () => navigate(() => page.click('form[action="/admin/logout"] button[type=submit]'));
    const row = (matterPath) => `tr[data-path="${matterPath}"]`;

    // 1. The operator opens the catalogue from the navigation.
    await signIn(config.operator);
    await navigate(() => page.click('a[data-nav=matters]'));
    check(page.url().endsWith('/admin/matters'), 'the navigation did not lead to the catalogue: ' + page.url());
    check(await page.isVisible(row('电子政务/市场监管/动产抵押')), 'the starter 动产抵押 is not in the tree');
    check(await page.isVisible(row('电子商务/银行/预留印鉴变更')), 'the starter 预留印鉴变更 is not in the tree');
    const totalBefore = Number(await page.textContent('#count-total'));
    await snap('catalogue-tree', 'admin-matters-catalogue.png');

    // 2. (电子政务)-(市场监管)-(动产抵押) is already there: refused, nothing added.
    await page.selectOption('#add-domain', '电子政务');
    await page.fill('#add-industry', '市场监管');
    await page.fill('#add-matter-name', '动产抵押');
    let response = await navigate(() => page.click('#add-submit'));
    check(response.status() === 409, 'adding an existing matter gave ' + response.status());
    check((await page.getAttribute('#catalogue-error', 'data-error-code')) === 'matter_exists', 'no matter_exists notice');
    check((await page.textContent('#catalogue-error')).includes('ZW-SCJG-01'), 'the refusal does not name the existing code');
    check(Number(await page.textContent('#count-total')) === totalBefore, 'the refused add changed the count');
    check((await page.inputValue('#add-matter-name')) === '动产抵押', 'the typed matter was not kept');
    await snap('catalogue-add-refused', 'admin-matters-refused.png');

    // 3. A new matter, then renamed.
    await page.fill('#add-matter-name', '动产抵押注销');
    response = await navigate(() => page.click('#add-submit'));
    check(response.status() === 200 && page.url().includes('done=added'), 'the add did not land: ' + page.url());
    check(await page.isVisible(row(NEW_MATTER)), 'the new matter is not in the tree');
    check(Number(await page.textContent('#count-total')) === totalBefore + 1, 'the count did not grow by one');
    const code = await page.getAttribute(row(NEW_MATTER), 'data-code');
    check(/^M[0-9A-F]{10}$/.test(code), 'unexpected generated code ' + code);
    await page.fill(`${row(NEW_MATTER)} form.rename input[name=label]`, '动产抵押注销登记');
    await navigate(() => page.click(`${row(NEW_MATTER)} button[data-action=rename]`));
    check((await page.inputValue(`${row(NEW_MATTER)} form.rename input[name=label]`)) === '动产抵押注销登记', 'not renamed');
    check((await page.getAttribute(row(NEW_MATTER), 'data-code')) === code, 'the rename changed the code');

    // 4. Import a CSV file with bad lines: refused with every line, nothing changed.
    const badCsv = 'code,domain,industry,matter,label,status\n' +
      'HB-ZSCQ-01,电子政务,市场监管,知识产权质押,,active\n' +
      'HB-ZSCQ-02,电子政府,市场监管,商标质押,,active\n' +
      'HB-ZSCQ-03,电子政务,市场监管,专利质押,,removed\n';
    await page.setInputFiles('#import-file', { name: 'hubei.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv, 'utf8') });
    await page.waitForFunction(() => document.getElementById('import-data').value.includes('HB-ZSCQ-03'));
    check((await page.inputValue('#import-format')) === 'csv', 'the format did not follow the file name');
    response = await navigate(() => page.click('#import-submit'));
    check(response.status() === 422, 'a bad import gave ' + response.status());
    const problems = await page.textContent('#import-problems');
    check(problems.includes('第 3 行') && problems.includes('第 4 行') && !problems.includes('第 2 行'),
      'the bad lines are not listed: ' + problems);
    check(Number(await page.textContent('#count-total')) === totalBefore + 1, 'the refused import changed the catalogue');
    check(!(await page.isVisible(row('电子政务/市场监管/知识产权质押'))), 'the good line of a refused import landed');
    check((await page.inputValue('#import-data')).includes('HB-ZSCQ-02'), 'the import text was not kept for fixing');
    await snap('catalogue-import-refused', 'admin-matters-import-refused.png');
    const goodCsv = badCsv.replace('电子政府', '电子政务').replace(',removed', ',retired');
    await page.fill('#import-data', goodCsv);
    response = await navigate(() => page.click('#import-submit'));
    check(page.url().includes('done=imported'), 'the fixed import did not land: ' + page.url());
    check(Number(await page.textContent('#count-total')) === totalBefore + 4, 'the import did not add three');
    check(await page.isVisible(`${row('电子政务/市场监管/专利质押')} button[data-action=reactivate]`), 'the retired import is not retired');

    // 5. The export downloads, as CSV and JSON.
    const exported = await page.evaluate(async () => {
      const csv = await fetch('/admin/matters/export?format=csv');
      const json = await fetch('/admin/matters/export?format=json');
      return { csvType: csv.headers.get('content-type'), csv: await csv.text(), json: await json.json(),
        disposition: csv.headers.get('content-disposition') };
    });
    check(exported.csvType.startsWith('text/csv') && exported.disposition.includes('attachment'), 'the CSV is not a download');
    check(exported.csv.includes('HB-ZSCQ-01,电子政务,市场监管,知识产权质押,,active,import'), 'the CSV lacks the import');
    check(exported.json.matters.some((m) => m.code === code && m.label === '动产抵押注销登记' && m.source === 'operator'),
      'the JSON lacks the renamed matter');
    await signOut();

    // 6. The applicant picks 动产抵押 and the new matter, and submits.
    await signIn(config.applicant);
    const fill = async (systemName) => {
      await page.goto(url + '/admin/applications/new');
      await page.fill('#f-org_name', '湖北省动产融资服务中心');
      await page.selectOption('#f-org_nature', 'institution');
      await page.fill('#f-uscc', '91110108700338416R');
      await page.fill('#f-address', '湖北省武汉市江岸区沿江大道1号');
      await page.fill('#f-contact_name', '王五');
      await page.fill('#f-contact_position', '登记科 科长');
      await page.fill('#f-contact_phone', '13912345678');
      await page.fill('#f-contact_email', 'wangwu@example.gov.cn');
      await page.fill('#f-system_name', systemName);
      await page.fill('#f-system_host', 'dcdy.hubei.example.gov.cn');
      await page.fill('#f-system_port', '443');
      await page.selectOption('#f-field', 'e_government');
      await page.fill('#f-industry', '市场监管');
      await page.fill('#f-business_summary', '企业以电子营业执照办理动产抵押登记及注销。');
      await page.check('input[name=needs][value=login]');
      await page.check('input[name=scope][value=province]');
      await page.selectOption('#f-province', '42');
      await page.check('input[name=channels][value=pc]');
      await page.fill('#f-annual_volume_wan', '10');
      await page.fill('#f-peak_rate', '5');
      await page.check('#f-acknowledged');  // 附件1's 承诺: required to submit
    };
    await fill('动产抵押登记系统');
    const label = await page.textContent(`li:has(> label > input[name=matters][value="${NEW_MATTER}"])`);
    check(label.includes('动产抵押注销登记'), 'the form does not show the new name: ' + label);
    await page.check('input[name=matters][value="电子政务/市场监管/动产抵押"]');
    await page.check(`input[name=matters][value="${NEW_MATTER}"]`);
    await page.locator(`input[name=matters][value="${NEW_MATTER}"]`).scrollIntoViewIfNeeded();
    await snap('applicant-picks-matters', 'admin-matters-in-form.png');
    await navigate(() => page.click('#submit-application'));
    check(/\/admin\/applications\/[^/]+$/.test(page.url()), 'submitting did not lead to the detail page: ' + page.url());
    const submittedUrl = page.url();
    check((await page.getAttribute('#application-status', 'data-status')) === 'submitted', 'not submitted');

    // A second one with the new matter, kept as a draft.
    await fill('动产抵押注销系统');
    await page.check(`input[name=matters][value="${NEW_MATTER}"]`);
    await navigate(() => page.click('#save-draft'));
    check(page.url().includes('/edit?saved=1'), 'the draft was not saved: ' + page.url());
    const draftUrl = page.url().replace('?saved=1', '');
    await signOut();

    // 7. The operator retires it.
    await signIn(config.operator);
    await page.goto(url + '/admin/matters');
    await navigate(() => page.click(`${row(NEW_MATTER)} button[data-action=retire]`));
    check(await page.isVisible(`${row(NEW_MATTER)} button[data-action=reactivate]`), 'not retired');
    check((await page.textContent(row(NEW_MATTER))).includes('已停用'), 'the row does not say 已停用');
    await page.locator(row(NEW_MATTER)).scrollIntoViewIfNeeded();
    await snap('catalogue-retired', 'admin-matters-retired.png');
    const audit = await page.evaluate(async () => (await fetch('/admin/audit')).text());
    for (const action of ['matter.add', 'matter.rename', 'matters.import', 'matter.retire'])
      check(audit.includes(action), 'the audit log lacks ' + action);
    await signOut();

    // 8. New forms no longer offer it; the draft shows it retired and cannot be submitted.
    await signIn(config.applicant);
    await page.goto(url + '/admin/applications/new');
    check((await page.locator(`input[name=matters][value="${NEW_MATTER}"]`).count()) === 0, 'a new form still offers the retired matter');
    check((await page.locator('input[name=matters][value="电子政务/市场监管/动产抵押"]').count()) === 1, '动产抵押 is gone from the form');
    await page.goto(draftUrl);
    const retiredItem = `li.retired-matter:has(input[name=matters][value="${NEW_MATTER}"])`;
    check((await page.textContent(retiredItem)).includes('已停用'), 'the draft does not show the matter as retired');
    response = await navigate(() => page.click('#submit-application'));
    check(response.status() === 422, 'submitting a retired matter gave ' + response.status());
    const matterError = await page.textContent('[data-field=matters] .field-error');
    check(matterError.includes('已停用'), 'the refusal is not next to the matters: ' + matterError);
    await page.locator(retiredItem).scrollIntoViewIfNeeded();
    await snap('applicant-retired-refused', 'admin-matters-retired-refused.png');
    await page.goto(submittedUrl);
    check((await page.getAttribute('#application-status', 'data-status')) === 'submitted', 'the first application changed');

    check(violations.length === 0, 'CSP violations or page errors:\n' + violations.join('\n'));
    console.log(JSON.stringify({ code, screenshots: shot }));
    console.log('matters catalogue ok');
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
