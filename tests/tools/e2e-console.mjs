// The supervisor console and the public ratings page in Debian's Chromium (playwright-core)
// against a real server on a temporary SQLite database loaded with seed-demo:
//
//   node e2e-console.mjs --binary BIN --source DIR
//
// Set up through the API: zhangsan's application for 3301-SCJG-GTDJ in 330102, accepted by
// sc.acceptor; then its acceptance is moved back in the test's own database (accepted on
// 2 January 2020, promised by the 9th), which makes it red today without waiting for its
// working days to pass: the only write that does not go through the API, and the server
// computes the warning itself. A second application is decided, delivered and rated 非常不满意.
// Then the supervisor signs in, opens the console (/supervise), drills down 330102 →
// 330102-SCJG → 3301-SCJG-GTDJ by the tables' buttons, finds the red case and opens it
// (/supervise/cases/NO: red, no person on it), and issues a supervision order from it. The
// public page (/ratings) shows the department's rating without signing in, and nobody's name.
// axe-core finds no serious or critical problem on the console (each level of the
// drill-down), the case and the public page, in zh-CN and English, at 1440x900 and 375x812,
// in the normal and the elderly mode; no page scrolls sideways on a phone.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { GTDJ_ITEM, acceptedGtdjCase, apiSession, axeProblems, check, newPage, pagePool, runE2E, settled, shotName, signIn, step } from './browser.mjs';

const ITEM = GTDJ_ITEM;
const DEPT = '330102-SCJG';
const REGION = '330102';

// Moves the case's acceptance back to January 2020 in the server's database, so that its
// promised last working day has passed (the tracking number's digits 9 to 18 are its id).
function backdate(dir, no) {
  const id = Number(no.slice(8, 18));
  check(Number.isInteger(id) && id > 0, 'tracking number ' + no);
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(dir, 'demo.db'),
    `UPDATE cases SET accepted_on = '2020-01-02', promised_deadline = '2020-01-09', statutory_deadline = '2020-01-30' WHERE id = ${id} AND status = 'under_review';`]);
}

async function ratedBadly(base) {
  const c = await acceptedGtdjCase(base);
  const approver = await apiSession(base, 'sc.approver');
  const acceptor = await apiSession(base, 'sc.acceptor');
  const zhang = await apiSession(base, 'zhangsan');
  const task = c.tasks.find((t) => t.node === 'Approve' && t.status === 'open');
  let r = await approver('POST', `/api/v1/tasks/${task.id}/complete`, { version: task.version, decision: 'approve', opinion: '符合条件，准予登记' });
  check(r.status === 200, 'approved: ' + JSON.stringify(r.body));
  r = await acceptor('POST', `/api/v1/cases/${c.tracking_no}/deliver`, { method: 'online' });
  check(r.status === 200, 'delivered: ' + JSON.stringify(r.body));
  r = await zhang('POST', '/api/v1/ratings', { case_no: c.tracking_no, level: 1, reasons: ['long_wait'], comment: '窗口王某让我等了很久' });
  check(r.status === 201, 'rated: ' + JSON.stringify(r.body));
  return c.tracking_no;
}

await runE2E('e2e-console', async ({ base, browser, server }) => {
  step('set up: an application made red, and one rated badly');
  const late = await acceptedGtdjCase(base);
  const no = late.tracking_no;
  backdate(server.dir, no);
  const rated = await ratedBadly(base);
  const supervisor = await apiSession(base, 'supervisor');
  const watch = await supervisor('GET', '/api/v1/supervision/watch?kind=case');
  check(watch.body.items.some((w) => w.ref === no && w.level === 'red'), 'the case is not red on the watch list: ' + JSON.stringify(watch.body));

  step('the supervisor drills down to the red case and orders its department to act');
  {
    const p = await newPage(browser);
    await signIn(p, base, 'supervisor', '/supervise');
    await p.click(`[data-testid=open-${REGION}]`);
    await p.waitForSelector(`[data-testid=drill-${DEPT}]`);
    await p.click(`[data-testid=open-${DEPT}]`);
    const row = p.locator(`[data-testid=drill-${ITEM}]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    check(cells.at(-1).trim() === '1', 'the item does not count one red case: ' + cells.join(' | '));
    check(Number(cells[0]) >= 2, 'the item does not count two applications: ' + cells.join(' | '));
    await p.click(`[data-testid=open-${ITEM}]`);
    await p.waitForSelector(`[data-testid=red-${no}]`);
    check(!(await p.locator('[data-testid=red-cases]').innerText()).includes(rated), 'a case in time is listed as red');
    await p.click(`[data-testid=case-link-${no}]`);
    await p.waitForURL((u) => u.pathname === '/supervise/cases/' + no);
    const level = await p.locator('[data-testid=case-level]').innerText();
    check(level.includes('红灯') || level.includes('超期') || level.includes('已超过'), 'the case is not shown red: ' + level);
    check((await p.locator('[data-testid=case-deadline]').innerText()).includes('2020-01-09'), 'the deadline is not shown');
    const text = await p.locator('main').innerText();
    for (const leak of ['张三', '330102199003073017', '13800000001', 'zhangsan']) check(!text.includes(leak), `${leak} is shown to the supervisor`);
    await p.fill('[data-testid=order-instruction]', '请说明超期原因，三日内办结');
    await p.click('[data-testid=order-send]');
    await p.waitForSelector('[data-testid=order-issued]');
    const orders = await supervisor('GET', '/api/v1/supervision-orders?which=supervisor');
    check(orders.body.orders.some((o) => o.object_ref === no && o.department_code === DEPT), 'no order about the case: ' + JSON.stringify(orders.body));
    check(p.errors.length === 0, 'script errors: ' + p.errors.join('; '));
    await p.context().close();
  }

  step('the public ratings page, without signing in');
  {
    const p = await newPage(browser);
    await p.goto(base + '/ratings');
    const row = p.locator(`[data-testid=ratings-${DEPT}]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    // rank, ratings, satisfaction, bad, rectified, rectification rate
    check(cells[1] === '1' && cells[2] === '0.0%' && cells[3] === '1' && cells[4] === '0', 'the department\'s ratings: ' + cells.join(' | '));
    const text = await p.locator('main').innerText();
    for (const leak of ['张三', '王某', rated]) check(!text.includes(leak), `${leak} is published`);
    check(p.errors.length === 0, 'script errors: ' + p.errors.join('; '));
    await p.context().close();
  }

  step('axe-core on the console, each level of the drill-down, the case and the public page');
  const pages = [
    { path: '/supervise', user: 'supervisor', shot: 'supervise-console', ready: `[data-testid=drill-${REGION}]` },
    { path: '/supervise', user: 'supervisor', shot: 'supervise-console-department', ready: `[data-testid=drill-${REGION}]`, clicks: [[`open-${REGION}`, `drill-${DEPT}`]] },
    { path: '/supervise', user: 'supervisor', shot: 'supervise-console-red', ready: `[data-testid=drill-${REGION}]`, clicks: [[`open-${REGION}`, `drill-${DEPT}`], [`open-${DEPT}`, `drill-${ITEM}`], [`open-${ITEM}`, `red-${no}`]] },
    { path: '/supervise/cases/' + no, user: 'supervisor', shot: 'supervise-case', ready: '[data-testid=case-steps]' },
    { path: '/ratings', user: null, shot: 'public-ratings', ready: `[data-testid=ratings-${DEPT}]` },
  ];
  const problems = [];
  const pool = pagePool(browser, base);
  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      for (const elder of [false, true]) {
        for (const p of pages) {
          const page = await pool.open(p.path, { locale, viewport, elder, user: p.user });
          await page.waitForSelector(p.ready);
          for (const [button, shows] of p.clicks ?? []) {
            await page.click(`[data-testid=${button}]`);
            await page.waitForSelector(`[data-testid=${shows}]`);
          }
          await settled(page);
          const tag = `${p.shot} ${locale} ${viewport.width} ${elder ? 'elder' : 'normal'}`;
          check((await page.locator('main h1').count()) === 1, `${tag}: not exactly one h1`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          check(wide <= viewport.width, `${tag}: ${wide}px wide at ${viewport.width}`);
          for (const chart of await page.locator('.chart').all()) {
            const label = await chart.getAttribute('aria-label');
            check(label && label.length > 20, `${tag}: a chart without an aria-label`);
          }
          problems.push(...(await axeProblems(page, tag, shotName(p.shot, { locale, viewport, elder }))));
          check(page.errors.length === 0, `${tag}: page errors: ${page.errors.join('; ')}`);
        }
      }
    }
  }
  await pool.close();
  check(problems.length === 0, 'axe:\n' + problems.join('\n'));
});
