// The system administrator's undelivered messages (/admin/deliveries) in Debian's Chromium
// (playwright-core) against a real server this script starts on 127.0.0.1 and a real SMTP
// server (smtp_sink.py, aiosmtpd):
//
//   node e2e-deliveries.mjs --binary BIN --source DIR
//
// The SMTP server refuses for good (550) while two residents ask for an e-mail address check,
// so both deliveries are dead. sysadmin opens the page: both are listed with their address and
// the server's refusal; the SMTP server accepts again, "send again" on zhangsan's puts it back
// in the queue (the page says so) and the mail arrives. A resident is sent away from the page
// and the API refuses them (403). axe-core finds no serious or critical problem on the page in
// zh-CN and English, at 1440x900 and 375x812, normal and elderly mode.
// Prints what it does; exits 1 on the first failed expectation with the reason.
import { apiSession, axeProblems, check, newPage, runE2E, shotName, signIn, step } from './browser.mjs';
import { startSink, waitForMail } from './smtp-sink.mjs';

const ZHANG = 'zhangsan@example.test';
const LI = 'lisi@example.test';

// Polls `fn` (at most 30 s) until it returns a truthy value.
async function until(what, fn) {
  const end = Date.now() + 30000;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting for ' + what);
}

await runE2E(
  'e2e-deliveries',
  async ({ base, browser, sink }) => {
    const admin = await apiSession(base, 'sysadmin');
    const dead = async () => (await admin('GET', '/api/v1/notification-deliveries?status=dead')).body.deliveries;

    step('the SMTP server refuses (550) while zhangsan and lisi ask for an address check: both are dead');
    sink.refuse('550');
    for (const [who, address] of [['zhangsan', ZHANG], ['lisi', LI]]) {
      const s = await apiSession(base, who);
      const r = await s('POST', '/api/v1/me/notification-preferences/email', { email: address });
      check(r.status === 202, `${who}'s address check answered ${r.status}`);
    }
    await until('two dead deliveries', async () => (await dead()).length === 2);
    sink.accept();

    step('sysadmin opens the undelivered messages: both, with their address and the refusal');
    const page = await newPage(browser);
    await signIn(page, base, 'sysadmin', '/admin/deliveries');
    await page.waitForSelector('[data-testid=deliveries]');
    const rows = await page.locator('[data-testid=deliveries] tbody tr').allTextContents();
    check(rows.length === 2, 'two rows: ' + JSON.stringify(rows));
    for (const address of [ZHANG, LI]) check(rows.some((r) => r.includes(address) && r.includes('550')), `a row for ${address} with the 550: ` + JSON.stringify(rows));
    check(page.errors.length === 0, 'script errors: ' + page.errors.join('; '));

    step("send again: zhangsan's goes back in the queue, the page says so, and the mail arrives");
    const zhangId = (await dead()).find((d) => d.address === ZHANG).id;
    await page.click(`[data-testid=delivery-${zhangId}] [data-testid=delivery-requeue]`);
    const done = await page.waitForSelector('[data-testid=deliveries-done]');
    check((await done.textContent()).includes(ZHANG), 'the confirmation names the address: ' + (await done.textContent()));
    await waitForMail(sink, ZHANG, /\d{6}/);
    await until('the list to hold only lisi', async () => (await page.locator('[data-testid=deliveries] tbody tr').count()) === 1);
    const left = await dead();
    check(left.length === 1 && left[0].address === LI, 'only lisi is still dead: ' + JSON.stringify(left));
    step('the filter shows the sent ones');
    await page.selectOption('#dl-status', 'sent');
    await until('the sent row', async () => (await page.locator(`[data-testid=delivery-${zhangId}]`).count()) === 1);
    check((await page.locator('[data-testid=delivery-requeue]').count()) === 0, 'a sent message offers no send again');
    await page.context().close();

    step('a resident is sent away from the page, and the API refuses them');
    const zp = await newPage(browser);
    await signIn(zp, base, 'zhangsan', '/');
    await zp.goto(base + '/admin/deliveries');
    await zp.waitForURL((u) => u.pathname === '/');
    check((await zp.$('[data-testid=deliveries]')) === null, 'the resident sees the deliveries');
    await zp.context().close();
    const zhang = await apiSession(base, 'zhangsan');
    check((await zhang('GET', '/api/v1/notification-deliveries')).status === 403, 'a resident lists deliveries');
    check((await zhang('POST', `/api/v1/notification-deliveries/${zhangId}/requeue`)).status === 403, 'a resident requeues');

    step('axe-core on the page (lisi still listed): zh-CN and English, 1440x900 and 375x812, normal and elderly');
    const axe = [];
    for (const locale of ['zh-CN', 'en']) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
        for (const elder of [false, true]) {
          const tag = `${locale} ${viewport.width}${elder ? ' elder' : ''}`;
          const p = await newPage(browser, { locale, viewport, elder });
          await signIn(p, base, 'sysadmin', '/admin/deliveries');
          await p.waitForSelector('[data-testid=deliveries]');
          const width = await p.evaluate(() => document.documentElement.scrollWidth);
          check(width <= viewport.width, `the page is ${width}px wide at ${viewport.width}px (${tag})`);
          axe.push(...(await axeProblems(p, `deliveries (${tag})`, shotName('admin-deliveries', { locale, viewport, elder }))));
          for (const e of p.errors) check(false, `script error or missing text (${tag}): ` + e);
          await p.context().close();
        }
      }
    }
    check(axe.length === 0, 'axe:\n' + axe.join('\n'));
  },
  {
    prefix: 'ow-e2e-deliveries-',
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
