// The system administrator's webhooks page (/admin/webhooks) in Debian's Chromium
// (playwright-core) against a real server this script starts on 127.0.0.1 and a department
// system's endpoint (a node HTTP server here) that first answers 503:
//
//   node e2e-webhooks.mjs --binary BIN --source DIR
//
// A system of 330102-SCJG subscribes to case.submitted (client credentials, scope
// events.subscribe); zhangsan submits a case; the endpoint's 503 makes the delivery dead after
// one attempt (webhooks.max_attempts = 1). sysadmin opens the page: the dead letter is listed
// with the endpoint and the 503; the endpoint recovers, "send again" replays it (the page says
// so) and the endpoint receives the same event id as Idempotency-Key. The subscription is
// switched off from the page. A resident is sent away and the API refuses them (403). axe-core
// finds no serious or critical problem on the page in zh-CN and English, at 1440x900 and
// 375x812.
import http from 'node:http';
import { apiSession, axeProblems, check, newPage, pdfBytes, runE2E, shotName, signIn, step } from './browser.mjs';

const ITEM = '3301-SCJG-GTDJ';
const FORM = { operator_name: '张三', operator_id: '330102199003073017', form: '个人经营', address: '杭州市上城区解放路1号', scope: '日用百货零售', phone: '13800000001' };

async function until(what, fn) {
  const end = Date.now() + 30000;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for ' + what);
}

// A department system's endpoint: records what it receives, answers `status`.
function startEndpoint() {
  const received = [];
  const ep = { status: 503, received };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(ep.status, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      ep.url = `http://127.0.0.1:${server.address().port}/events`;
      ep.stop = () => new Promise((r) => server.close(r));
      resolve(ep);
    }),
  );
}

await runE2E(
  'e2e-webhooks',
  async ({ base, browser, endpoint }) => {
    const admin = await apiSession(base, 'sysadmin');
    step('a system of 330102-SCJG subscribes its endpoint to case.submitted');
    const client = await admin('POST', '/api/v1/oidc/clients', { name: '市场监管业务系统', type: 'confidential', grant_types: ['client_credentials'], scopes: ['events.subscribe'] });
    check(client.status === 201, 'client: ' + JSON.stringify(client.body));
    const reg = await admin('PUT', '/api/v1/exchange/systems/' + client.body.client_id, { department_code: '330102-SCJG' });
    check(reg.status === 200, 'registered: ' + JSON.stringify(reg.body));
    const tok = await fetch(base + '/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${client.body.client_id}&client_secret=${client.body.client_secret}`,
    });
    check(tok.status === 200, 'token: ' + tok.status);
    const token = (await tok.json()).access_token;
    const sub = await fetch(base + '/api/v1/webhooks/subscriptions', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: endpoint.url, events: ['case.submitted'] }),
    });
    check(sub.status === 201, 'subscribed: ' + sub.status);

    step('zhangsan submits a case; the endpoint answers 503: the delivery is dead');
    const zhang = await apiSession(base, 'zhangsan');
    const doc = (await zhang('GET', '/api/v1/catalog/items/' + ITEM)).body;
    const materials = [];
    for (const m of (doc.item ?? doc).materials.filter((x) => x.required && x.form !== 'paper')) {
      const up = await zhang.raw('POST', '/api/v1/materials?filename=a.pdf', pdfBytes());
      check(up.status === 201, 'upload: ' + JSON.stringify(up.body));
      materials.push({ id: up.body.id, name: m.name });
    }
    const filed = await zhang('POST', '/api/v1/cases', { item_code: ITEM, region_code: '330102', form: FORM, materials });
    check(filed.status === 201, 'submitted: ' + JSON.stringify(filed.body));
    const no = filed.body.tracking_no;
    const dead = async () => (await admin('GET', '/api/v1/webhook-deliveries?status=dead')).body.items;
    await until('a dead delivery', async () => (await dead()).length === 1);
    const [d] = await dead();
    check(endpoint.received.length === 1, 'one attempt: ' + endpoint.received.length);

    step('sysadmin opens the page: the dead letter with the endpoint and the 503');
    const page = await newPage(browser);
    await signIn(page, base, 'sysadmin', '/admin/webhooks');
    await page.waitForSelector('[data-testid=webhook-deliveries]');
    const row = await page.locator(`[data-testid=webhook-delivery-${d.id}]`).textContent();
    check(row.includes(endpoint.url) && row.includes('503') && row.includes(no), 'the row: ' + row);
    check(page.errors.length === 0, 'script errors: ' + page.errors.join('; '));

    step('axe-core on the page: zh-CN and English, 1440x900 and 375x812');
    const axe = [];
    for (const locale of ['zh-CN', 'en']) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
        const tag = `${locale} ${viewport.width}`;
        const p = await newPage(browser, { locale, viewport });
        await signIn(p, base, 'sysadmin', '/admin/webhooks');
        await p.waitForSelector('[data-testid=webhook-deliveries]');
        await p.waitForSelector('[data-testid=webhook-subscriptions]');
        const width = await p.evaluate(() => document.documentElement.scrollWidth);
        check(width <= viewport.width, `the page is ${width}px wide at ${viewport.width}px (${tag})`);
        axe.push(...(await axeProblems(p, `webhooks (${tag})`, shotName('admin-webhooks', { locale, viewport }))));
        for (const e of p.errors) check(false, `script error or missing text (${tag}): ` + e);
        await p.context().close();
      }
    }
    check(axe.length === 0, 'axe:\n' + axe.join('\n'));

    step('the endpoint recovers; send again: the page says so and the same event arrives');
    endpoint.status = 200;
    await page.click(`[data-testid=webhook-delivery-${d.id}] [data-testid=webhook-replay]`);
    const done = await page.waitForSelector('[data-testid=webhooks-done]');
    check((await done.textContent()).includes(endpoint.url), 'the confirmation names the endpoint: ' + (await done.textContent()));
    await until('the replay to arrive', async () => endpoint.received.length === 2);
    const [first, again] = endpoint.received;
    check(again.headers['idempotency-key'] === first.headers['idempotency-key'] && again.body === first.body, 'the replay is the same event');
    check(JSON.parse(again.body).subject === no, 'the event names the case');

    step('the subscription is switched off from the page');
    await page.click('[data-testid=webhook-disable]');
    await until('the confirmation', async () => ((await page.locator('[data-testid=webhooks-done]').textContent()) ?? '').length > 0 && (await page.locator('[data-testid=webhook-disable]').count()) === 0);
    const subs = (await admin('GET', '/api/v1/webhook-subscriptions')).body.items;
    check(subs.length === 1 && subs[0].status === 'disabled', 'disabled: ' + JSON.stringify(subs));
    await page.context().close();

    step('a resident is sent away from the page, and the API refuses them');
    const zp = await newPage(browser);
    await signIn(zp, base, 'zhangsan', '/');
    await zp.goto(base + '/admin/webhooks');
    await zp.waitForURL((u) => u.pathname === '/');
    check((await zp.$('[data-testid=webhook-deliveries]')) === null, 'the resident sees the deliveries');
    await zp.context().close();
    check((await zhang('GET', '/api/v1/webhook-deliveries')).status === 403, 'a resident lists deliveries');
    check((await zhang('POST', `/api/v1/webhook-deliveries/${d.id}/replay`)).status === 403, 'a resident replays');
  },
  {
    prefix: 'ow-e2e-webhooks-',
    setup: async (ctx) => {
      ctx.endpoint = await startEndpoint();
      ctx.cleanup(() => ctx.endpoint.stop());
    },
    env: () => ({
      ONEWINDOW_WEBHOOKS_ALLOW_HTTP: '1',
      ONEWINDOW_WEBHOOKS_DELIVERY_PERIOD_MS: '100',
      ONEWINDOW_WEBHOOKS_MAX_ATTEMPTS: '1',
    }),
  },
);
