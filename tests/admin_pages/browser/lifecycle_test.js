// The access application's whole lifecycle in headless Chromium:
//   the applicant signs in, fills every field of the 电子营业执照应用接入信息表
//   (the system name carries <script>), sees a bad USCC, the missing 承诺 and
//   a callback outside the declared 办事系统 refused next to their fields,
//   declares a second system, ticks the 承诺 and submits (the detail page
//   shows who acknowledged and when); the reviewer finds it in the queue, is
//   refused a POST without its CSRF token (403, nothing changes), accepts
//   (受理) and hands out the 技术服务方确认 one-time link; the provider opens
//   it without an account and confirms under their own name (the link then
//   refuses a second use, 410); the reviewer passes 业务指导部门 and the
//   operator approves 系统运维部门; each stage shows its person, opinion and
//   time; the credentials page shows the secret once; the secret gets a
//   token at /oauth/token and the token a presentation of a sandbox wallet's
//   code; the <script> name is text everywhere and no dialog ever opens.
// Usage: node lifecycle_test.js CONFIG.json  with
//   {"url","applicant":{"username","password"},"reviewer":{...},"operator":{...},"out_dir",
//    "wallet":{"bin","file","password"},"uscc"}
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const XSS_NAME = '<script>alert(1)</script>测试';

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
  let dialogs = 0;
  let shot = 0;
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60000);
    page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
    // The form's script is a file under the admin CSP (script-src 'self'):
    // a blocked script or any page error fails the test.
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
    const snap = async (name) => {
      shot++;
      await page.screenshot({ path: path.join(outDir, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    };
    const signIn = async (who) => {
      await page.goto(url + '/admin/login');
      await page.fill('#username', who.username);
      await page.fill('#password', who.password);
      await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/login"] button[type=submit]')]);
      check(!page.url().includes('/admin/login'), 'sign-in failed for ' + who.username);
    };
    const signOut = async () => {
      await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/logout"] button[type=submit]')]);
    };
    const submitButton = async (selector) => {
      await Promise.all([page.waitForNavigation(), page.click(selector)]);
    };

    // 1. The applicant fills every field.
    await signIn(config.applicant);
    await page.goto(url + '/admin/applications');
    await snap('applicant-list-empty');
    await submitButton('#new-application');
    await page.fill('#f-org_name', '湖北省浏览器测试局');
    await page.selectOption('#f-org_nature', 'government');
    await page.fill('#f-uscc', '91110108700338416X');  // wrong check digit first
    await page.fill('#f-address', '湖北省武汉市洪山区测试大道100号');
    await page.fill('#f-contact_name', '李四');
    await page.fill('#f-contact_position', '信息中心 主任');
    await page.fill('#f-contact_phone', '027-87654321');
    await page.fill('#f-contact_email', 'lisi@example.gov.cn');
    await page.fill('#f-system_name', XSS_NAME);
    await page.fill('#f-system_host', 'etax.hubei.example.gov.cn');
    await page.fill('#f-system_port', '8443');
    // 技术服务单位: the provider whose sign-off is the second review stage.
    await page.fill('#f-provider_name', '湖北数字政务科技有限公司');
    await page.fill('#f-provider_contact', '王工');
    await page.fill('#f-provider_phone', '13900000000');
    await page.selectOption('#f-department', '');
    await page.fill('#f-redirect_uris', 'https://etax.hubei.example.gov.cn/oidc/callback');
    await page.selectOption('#f-field', 'e_government');
    await page.fill('#f-industry', '税务');
    await page.fill('#f-business_summary', '纳税人在办税大厅出示电子营业执照，办理发票申领和涉税信息确认。');
    await page.check('input[name=needs][value=presentation]');
    await page.check('input[name=needs][value=login]');
    await page.check('input[name=needs][value=other]');
    await page.fill('#f-needs_other', '发票领用核验');
    await page.check('input[name=scope][value=national]');
    check(await page.isHidden('#province-field'), 'the province stays visible for 全国');
    await page.check('input[name=scope][value=province]');
    check(await page.isVisible('#province-field'), 'the province is hidden for 本省');
    await page.selectOption('#f-province', '42');
    for (const c of ['pc', 'app', 'wechat_mini', 'alipay_mini', 'wechat_official', 'alipay_life']) {
      await page.check(`input[name=channels][value=${c}]`);
    }
    await page.fill('#f-annual_volume_wan', '100');
    await page.fill('#f-peak_rate', '20');
    // The 税务 industry box ticks every tax matter; one is then cleared again.
    await page.check('input.tree-toggle[data-path="电子政务/税务"]');
    const taxMatters = await page.$$eval('input[name=matters][value^="电子政务/税务/"]', (els) => els.map((e) => e.checked));
    check(taxMatters.length >= 2 && taxMatters.every((c) => c), 'the industry box did not tick its matters');
    await page.uncheck('input[name=matters][value="电子政务/税务/纳税申报"]');
    check(await page.$eval('input.tree-toggle[data-path="电子政务/税务"]', (e) => e.indeterminate),
      'the industry box is not indeterminate with some matters ticked');
    await snap('applicant-form-filled');

    // 2. Submitted with the wrong check digit, the 承诺 not ticked and the
    // callback on etax.hubei.example.gov.cn:443 while only port 8443 is
    // declared: the form comes back with each error next to its field.
    const refused = await Promise.all([page.waitForNavigation(), page.click('#submit-application')]);
    check(refused[0].status() === 422, 'a bad USCC should give 422, got ' + refused[0].status());
    const usccError = await page.textContent('[data-field=uscc] .field-error');
    check(usccError.includes('校验位'), 'the USCC error is not next to the field: ' + usccError);
    const ackError = await page.textContent('#err-acknowledged');
    check(ackError.includes('电子营业执照应用接入规范'), 'the acknowledgement error is not next to its box: ' + ackError);
    const redirectError = await page.textContent('[data-field=redirect_uris] .field-error');
    check(redirectError.includes('etax.hubei.example.gov.cn:443') && redirectError.includes('办事系统'),
      'the undeclared callback host is not refused next to the field: ' + redirectError);
    check((await page.getAttribute('.app-head [data-status]', 'data-status')) === 'draft', 'a refused submission is not a draft');
    await snap('applicant-form-errors');
    // Declare the portal as a second 办事系统 and acknowledge the rules.
    await page.fill('input[name="sys0.name"]', '湖北省电子税务局门户');
    await page.fill('input[name="sys0.host"]', 'etax.hubei.example.gov.cn');
    await page.fill('input[name="sys0.port"]', '443');
    await page.check('#f-acknowledged');
    check((await page.inputValue('#f-system_name')) === XSS_NAME, 'the system name was not kept as typed');
    check((await page.inputValue('#f-contact_phone')) === '027-87654321', 'the phone was not kept');
    check(await page.isChecked('input[name=matters][value="电子政务/税务/发票申领"]'), 'the matters were not kept');
    await snap('applicant-form-uscc-error');
    await page.fill('#f-uscc', '91110108700338416R');
    await submitButton('#submit-application');
    check(/\/admin\/applications\/[^/]+$/.test(page.url()), 'submitting did not lead to the detail page: ' + page.url());
    const detailUrl = page.url();
    check((await page.getAttribute('#application-status', 'data-status')) === 'submitted', 'not submitted');
    check((await page.textContent('#application-title')).trim() === XSS_NAME, 'the title is not the name as text');
    const ack = await page.textContent('#acknowledgement');
    check(ack.includes('已阅知并承诺遵守《电子营业执照应用接入规范》') && ack.includes(config.applicant.username),
      'the detail page does not show who acknowledged the rules: ' + ack);
    const systems = await page.textContent('#trail');
    check(systems.includes('已阅知并承诺遵守'), 'the trail lacks the acknowledgement of the submission');
    check((await page.content()).includes('湖北省电子税务局门户 etax.hubei.example.gov.cn:443'), 'the declared system is not shown');
    await snap('applicant-submitted');
    await signOut();

    // 3. The reviewer: the queue, a refused POST without CSRF, accept, approve.
    await signIn(config.reviewer);
    await page.goto(url + '/admin/review?status=submitted');
    const queueText = await page.textContent('#queue');
    check(queueText.includes(XSS_NAME), 'the queue does not show the name as text');
    await snap('reviewer-queue');
    await page.goto(detailUrl);
    check((await page.getAttribute('#acknowledgement', 'data-by')) === config.applicant.username,
      'the reviewer does not see who acknowledged the rules');
    const forged = await page.evaluate(async (target) => {
      const r = await fetch(target + '/actions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action: 'accept', opinion: 'forged' }).toString(),
      });
      return { status: r.status, text: await r.text() };
    }, detailUrl);
    check(forged.status === 403, 'a POST without its CSRF token got ' + forged.status);
    check(forged.text.includes('csrf_failed'), 'the CSRF refusal does not say csrf_failed');
    await page.reload();
    check((await page.getAttribute('#application-status', 'data-status')) === 'submitted', 'the forged POST changed the status');

    await page.fill('#opinion', '材料齐全，予以受理。');
    await submitButton('button[data-action=accept]');
    check((await page.getAttribute('#application-status', 'data-status')) === 'accepted', 'not accepted');
    check((await page.getAttribute('#review-stages', 'data-current-stage')) === 'provider', 'not at the provider stage');
    // The provider's stage is no staff decision: no buttons, a link instead.
    check((await page.$('button[data-action=pass]')) === null, 'the reviewer is offered the provider stage');
    await snap('reviewer-accepted');
    await submitButton('#mint-provider-link');
    const providerLink = (await page.textContent('#provider-link')).trim();
    check(providerLink.includes('/admin/provider/'), 'no provider link: ' + providerLink);
    await snap('provider-link');
    await page.goto(detailUrl);
    await signOut();

    // 3b. The provider, signed in as nobody, opens the link and confirms.
    await page.goto(providerLink);
    check((await page.textContent('#provider-name')).includes('湖北数字政务科技有限公司'), 'the provider page lacks the provider');
    check((await page.inputValue('#signer')) === '王工', 'the signer is not the provider contact');
    await page.fill('#opinion', '系统由我司建设运维，域名、端口、回调地址核对无误。');
    await snap('provider-page');
    await submitButton('button[data-action=pass]');
    check((await page.getAttribute('#provider-done', 'data-returned')) === '0', 'the provider sign-off was not recorded');
    const again = await page.goto(providerLink);
    check(again.status() === 410, 'a used link should give 410, got ' + again.status());
    check((await page.content()).includes('link_used'), 'the used link does not say link_used');

    // 3c. 业务指导部门 (the reviewer), then 系统运维部门 (the operator).
    await signIn(config.reviewer);
    await page.goto(detailUrl);
    check((await page.getAttribute('#review-stages', 'data-current-stage')) === 'guidance', 'not at 业务指导部门');
    check((await page.$('button[data-action=approve]')) === null, 'the reviewer is offered the operator stage');
    await page.fill('#opinion', '符合业务指导要求。');
    await submitButton('button[data-action=pass]');
    check((await page.getAttribute('#review-stages', 'data-current-stage')) === 'operations', 'not at 系统运维部门');
    await signOut();
    await signIn(config.operator);
    await page.goto(detailUrl);
    const stages = await page.$$eval('#review-stages tr[data-stage]', (rows) => rows.map((r) => [r.dataset.stage, r.dataset.state, r.textContent]));
    check(stages.length === 4, 'expected four stages, got ' + stages.length);
    check(stages[1][1] === 'passed' && stages[1][2].includes('王工') && stages[1][2].includes('核对无误'),
      'the provider stage lacks its person and opinion: ' + stages[1][2]);
    check(stages[3][1] === 'current', 'the operator stage is not current');
    await snap('operator-stages');
    await page.fill('#opinion', '同意接入。');
    await submitButton('button[data-action=approve]');

    // 4. The credentials, once.
    const clientId = (await page.textContent('#client-id')).trim();
    const secret = (await page.textContent('#client-secret')).trim();
    check(clientId.length > 0 && secret.length >= 20, 'no credentials on the approval page');
    check((await page.textContent('#secret-warning')).includes('不会再次显示'), 'no shown-once warning');
    await snap('reviewer-credentials');
    await submitButton('#back-to-application');
    check((await page.getAttribute('#application-status', 'data-status')) === 'active', 'not active');
    await page.reload();
    const after = await page.content();
    check(!after.includes(secret), 'the detail page shows the secret again');
    check(after.includes(clientId), 'the detail page lacks the client id');
    check((await page.textContent('#application-title')).trim() === XSS_NAME, 'the title is not text');
    const trail = await page.textContent('#trail');
    check(trail.includes('材料齐全，予以受理。') && trail.includes('同意接入。'), 'the trail lacks the opinions');
    const decided = await page.$$eval('#review-stages tr[data-stage]', (rows) => rows.map((r) => r.dataset.state));
    check(decided.length === 4 && decided.every((s) => s === 'passed'), 'not every stage passed: ' + decided.join(','));
    check((await page.getAttribute('#versions tr[data-in-force]', 'data-version')) === '1', 'version 1 is not in force');
    await snap('reviewer-detail-active');
    await signOut();

    // 5. The applicant sees the outcome.
    await signIn(config.applicant);
    await page.goto(detailUrl);
    check((await page.getAttribute('#application-status', 'data-status')) === 'active', 'the applicant sees no active status');
    check(!(await page.content()).includes(secret), 'the applicant page shows the secret');
    check((await page.textContent('#application-title')).trim() === XSS_NAME, 'the title is not text');
    await snap('applicant-active');

    // 6. The credentials work: a token, then a presentation of a sandbox wallet's code.
    const tokenReply = await fetch(url + '/oauth/token', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64'),
      },
      body: 'grant_type=client_credentials',
    });
    const token = await tokenReply.json();
    check(tokenReply.status === 200 && token.access_token, 'no token: ' + JSON.stringify(token));
    check(token.scope.split(' ').includes('presentation'), 'the token lacks presentation: ' + token.scope);
    const code = execFileSync(config.wallet.bin, ['--wallet', config.wallet.file, '--password', config.wallet.password, 'present'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
    const presented = await fetch(url + '/api/v1/presentations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token.access_token },
      body: JSON.stringify({ code }),
    });
    const presentation = await presented.json();
    check(presented.status === 200 || presented.status === 201,
      'the presentation was refused: ' + presented.status + ' ' + JSON.stringify(presentation));
    check(JSON.stringify(presentation).includes(config.uscc), 'the presentation lacks the enterprise ' + config.uscc);

    check(dialogs === 0, 'a dialog opened: the <script> ran');
    console.log(JSON.stringify({ client_id: clientId, presentation_status: presented.status, screenshots: shot }));
    check(violations.length === 0, 'CSP violations or page errors:\n' + violations.join('\n'));
    console.log('application lifecycle ok');
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
