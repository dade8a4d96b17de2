// The notification preferences in a real browser, against the server binary and a real
// SMTP server (aiosmtpd, smtp_sink.py; mails read back by Python's e-mail parser,
// read_mail.py): a resident sets an e-mail address, reads the 6-digit code from the mail
// that arrived, confirms it, chooses e-mail for their applications in English; then an
// application's status changes (submitted, then accepted by staff) arrive by e-mail in
// English, and the message list shows them with their topic. A bad address gets the error
// summary. axe-core on the page in zh-CN and English at 1440x900 and 375x812.
//
//   node e2e-notify.mjs --binary BIN --source DIR
import { apiSession, axeProblems, check, expectSummaryFocused, newPage, pdfBytes, runE2E, shotName, signIn, step } from './browser.mjs';
import { startSink, waitForMail } from './smtp-sink.mjs';

const ITEM = '330102-SCJG-XCYDJ'; // 小餐饮店登记证核发（上城区）: handled by the demo 330102-SCJG staff
const FORM = {
  shop_name: '老张面馆',
  operator_name: '张三',
  operator_id: '330102199001011234',
  address: '杭州市上城区解放路100号',
  area: 30,
  staff: 3,
  phone: '13912345678',
};
const ADDRESS = 'zhangsan@example.test';

async function requiredMaterials(base, as, item) {
  const out = [];
  const doc = await (await fetch(`${base}/api/v1/catalog/items/${item}`)).json();
  for (const m of doc.item.materials) {
    if (!m.required || m.form === 'paper' || out.some((x) => x.name === m.name)) continue;
    const r = await as.raw('POST', '/api/v1/materials?filename=' + encodeURIComponent(m.name + '.pdf'), pdfBytes());
    check(r.status === 201, `POST /api/v1/materials answered ${r.status}: ${JSON.stringify(r.body)}`);
    out.push({ id: r.body.id, name: m.name });
  }
  return out;
}

async function completeByApi(base, username, no, decision) {
  const as = await apiSession(base, username);
  const c = await as('GET', '/api/v1/cases/' + no);
  const t = c.body.tasks.find((x) => x.status === 'open');
  check(t, `case ${no} has no open task`);
  const claimed = await as('POST', `/api/v1/tasks/${t.id}/claim`, { version: t.version });
  check(claimed.status === 200, `claim answered ${claimed.status}: ${JSON.stringify(claimed.body)}`);
  const done = await as('POST', `/api/v1/tasks/${t.id}/complete`, { version: claimed.body.version, decision, opinion: '材料齐全，予以受理' });
  check(done.status === 200, `complete answered ${done.status}: ${JSON.stringify(done.body)}`);
}

async function a11y(browser, base) {
  const problems = [];
  for (const elder of [false, true]) {
    for (const locale of ['zh-CN', 'en']) {
      for (const viewport of [
        { width: 1440, height: 900 },
        { width: 375, height: 812 },
      ]) {
        const page = await newPage(browser, { locale, viewport, elder });
        await signIn(page, base, 'lisi', '/me/notifications');
        await page.waitForSelector('[data-testid=topic-case]');
        check((await page.locator('main h1').count()) === 1, 'the page has exactly one h1 in main');
        problems.push(...(await axeProblems(page, `notifications ${locale} ${viewport.width}x${viewport.height}${elder ? ' elder' : ''}`, shotName('notification-preferences', { locale, viewport, elder }))));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `the page scrolls sideways by ${overflow}px at ${viewport.width}px`);
        check(page.errors.length === 0, 'script errors or missing translations: ' + page.errors.join('; '));
        await page.context().close();
      }
    }
  }
  check(problems.length === 0, 'axe found:\n' + problems.join('\n'));
}

async function flow(browser, base, sink) {
  const page = await newPage(browser, { locale: 'en' });
  step('a resident opens Notifications from the message list');
  await signIn(page, base, 'zhangsan', '/me/messages');
  await page.click('[data-testid=notification-settings]');
  await page.waitForSelector('[data-testid=topic-case]');
  check((await page.locator('[data-testid=channel-case-email]').count()) === 1, 'e-mail is offered for applications');
  check((await page.locator('[data-testid=channel-case-sms]').count()) === 0, 'SMS is not offered when no gateway is configured');

  step('a bad address gets the error summary, focused');
  await page.fill('[data-testid=email-input]', 'not-an-address');
  await page.click('[data-testid=email-send]');
  const summary = await expectSummaryFocused(page);
  check(summary.links.some((l) => /E-mail address/.test(l)), 'the summary names the e-mail field: ' + JSON.stringify(summary));

  step('the code arrives by e-mail and confirms the address');
  await page.fill('[data-testid=email-input]', ADDRESS);
  await page.click('[data-testid=email-send]');
  await page.waitForSelector('[data-testid=email-pending]');
  const codeMail = await waitForMail(sink, ADDRESS, /\d{6}/);
  const code = /(\d{6})/.exec(codeMail.subject)[1];
  await page.fill('[data-testid=code-input]', code);
  await page.click('[data-testid=code-verify]');
  await page.waitForSelector('[data-testid=email-verified]');
  check((await page.textContent('[data-testid=email-verified]')).includes(ADDRESS), 'the verified address is shown');

  step('e-mail chosen for applications, in English');
  await page.check('[data-testid=channel-case-email]');
  await page.selectOption('[data-testid=lang-select]', 'en');
  await page.click('[data-testid=prefs-save]');
  await page.waitForSelector('[data-testid=prefs-saved]');
  const zhang = await apiSession(base, 'zhangsan');
  const prefs = await zhang('GET', '/api/v1/me/notification-preferences');
  check(JSON.stringify(prefs.body.topics.case) === '["portal","email"]' && prefs.body.lang === 'en', 'saved: ' + JSON.stringify(prefs.body));

  step('an application and its acceptance arrive by e-mail, in English');
  const filed = await zhang('POST', '/api/v1/cases', { item_code: ITEM, region_code: '330102', form: FORM, materials: await requiredMaterials(base, zhang, ITEM) });
  check(filed.status === 201, `POST /api/v1/cases answered ${filed.status}: ${JSON.stringify(filed.body)}`);
  const no = filed.body.tracking_no;
  const submitted = await waitForMail(sink, ADDRESS, new RegExp('news about ' + no));
  check(/submitted, awaiting acceptance/.test(submitted.body), 'the submission mail says so: ' + submitted.body);
  await completeByApi(base, 'sc.acceptor', no, 'accept');
  const until = Date.now() + 30000;
  let accepted;
  while (!accepted && Date.now() < until) {
    accepted = sink.mails().find((m) => m.to === ADDRESS && /accepted, under review/.test(m.body) && m.body.includes(no));
    if (!accepted) await new Promise((r) => setTimeout(r, 200));
  }
  check(accepted, 'the acceptance arrived by e-mail');
  check(accepted.body.includes('/me/cases/' + no), 'the mail links to the case: ' + accepted.body);

  step('the message list shows them with their topic and a link to the case');
  await page.goto(base + '/me/messages');
  await page.waitForSelector(`a[href="/me/cases/${no}"]`);
  check((await page.locator('.topic', { hasText: 'My applications' }).count()) >= 2, 'messages show their topic');
  check(page.errors.length === 0, 'script errors or missing translations: ' + page.errors.join('; '));
  await page.context().close();
}

await runE2E(
  'e2e-notify',
  async ({ base, browser, sink }) => {
    await flow(browser, base, sink);
    await a11y(browser, base);
  },
  {
    prefix: 'ow-e2e-notify-',
    setup: async (ctx) => {
      ctx.sink = await startSink(ctx.source);
      ctx.cleanup(() => ctx.sink.stop());
    },
    env: (ctx) => ({
      ONEWINDOW_NOTIFY_SMTP_HOST: '127.0.0.1',
      ONEWINDOW_NOTIFY_SMTP_PORT: String(ctx.sink.port),
      ONEWINDOW_NOTIFY_DELIVERY_PERIOD_MS: '200',
    }),
  },
);
