// The supervision pages (issue 17 parts 3 and 7) in Debian's Chromium (playwright-core)
// against a real server on a temporary SQLite database loaded with seed-demo (which brings
// demo/supervision.json: six licensed businesses, inspection staff, a published plan, two
// orders):
//
//   node e2e-superpages.mjs --binary BIN --source DIR
//
// Supervision orders (督办): the supervisor opens "Issue an order" from a suspended case on the
// watch list (/supervise/warnings), the form comes prefilled, an order without an instruction
// is refused, the order goes out due in 3 working days; the department answers on
// /workbench/supervision; the supervisor sends it back on /supervise/orders/<number> with a
// further instruction, the department answers again, and the supervisor closes it.
// The supervisors' claims page (审管联动) lists the region's claims.
// Random inspections (双随机): the approver sees the demo inspection staff and conflict on
// /workbench/inspections, declares another conflict, draws a plan (seed shown, "reproduced"),
// and no inspector is drawn for a business they declared a conflict with; records a serious
// finding (the permit is suspended, shown and true through the API), and a rectification; then
// publishes, and the public page (/inspections) shows the plan and its seed.
// axe-core finds no serious or critical problem on the new pages in zh-CN and English at
// 1440x900 and 375x812, none scrolls sideways on a phone; screenshots with OW_SCREENSHOTS.
import fs from 'node:fs';
import path from 'node:path';
import { answerConfirm, apiSession, axeProblems, check, newPage, runE2E, shotName, signIn, step } from './browser.mjs';
import { suspendedCase } from './supervise-setup.mjs';

const DEPT = '330102-SCJG';

const sideways = (p) => p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

await runE2E('e2e-superpages', async ({ base, browser, source }) => {
  const supervisor = await apiSession(base, 'supervisor');
  const approver = await apiSession(base, 'sc.approver');
  const acceptor = await apiSession(base, 'sc.acceptor');

  step('the demo data is there: a published plan with a suspended permit, two orders, one answered');
  let r = await approver('GET', '/api/v1/inspection-plans?department=' + DEPT);
  check(r.status === 200 && r.body.plans.length === 1 && r.body.plans[0].status === 'published', 'demo plan: ' + JSON.stringify(r.body));
  check(r.body.plans[0].entries.some((e) => e.result === 'serious' && e.suspended.length === 1), 'the demo plan has no serious finding with a suspended permit');
  r = await supervisor('GET', '/api/v1/supervision-orders?which=supervisor');
  check(r.status === 200 && r.body.orders.length === 2 && r.body.orders.some((o) => o.status === 'replied'), 'demo orders: ' + JSON.stringify(r.body));

  step('an order issued from a warning: prefilled, an empty instruction refused, then issued');
  const caseNo = await suspendedCase(base);
  const s = await newPage(browser);
  await signIn(s, base, 'supervisor', '/supervise/warnings');
  await s.locator(`[data-testid=watch-${caseNo}] [data-testid=watch-order]`).click();
  await s.waitForURL((u) => u.pathname === '/supervise/orders');
  check((await s.inputValue('[data-testid=so-dept]')) === DEPT, 'the department is not prefilled');
  check((await s.inputValue('[data-testid=so-ref]')) === caseNo, 'the case is not prefilled');
  check((await s.inputValue('[data-testid=so-kind]')) === 'case', 'the kind is not prefilled');
  await s.fill('[data-testid=so-days]', '3');
  await s.click('[data-testid=so-issue]');
  await s.waitForSelector('[data-testid=sorders-issue] [data-testid=problem]');
  await s.getByLabel('督办要求').fill('请说明中止原因和预计恢复时间');
  await s.click('[data-testid=so-issue]');
  await s.waitForSelector('[data-testid=sorders-done]');
  r = await supervisor('GET', '/api/v1/supervision-orders?which=supervisor&status=open');
  const order = r.body.orders.find((o) => o.object_ref === caseNo);
  check(order && order.department_code === DEPT && order.object_kind === 'case', 'the order is not issued: ' + JSON.stringify(r.body));
  check((await s.locator(`[data-testid=sorder-${order.number}] [data-testid=so-state]`).innerText()).includes('待答复'), 'the new order is not shown open');

  step('the department answers on its page');
  const d = await newPage(browser);
  await signIn(d, base, 'sc.acceptor', '/workbench/supervision');
  const card = d.locator(`[data-testid=dsup-order-${order.number}]`);
  await card.getByLabel('答复内容').fill('公示期 20 日，期满即恢复办理');
  await card.locator('[data-testid=dsup-send]').click();
  await d.waitForSelector(`[data-testid=dsup-answered-${order.number}]`);

  step('the supervisor sends it back with a further instruction, then closes the second answer');
  await s.goto(base + '/supervise/orders/' + order.number);
  const mine = s.locator(`[data-testid=sorder-${order.number}]`);
  await mine.locator('[data-testid=so-reply]').waitFor();
  check((await mine.locator('[data-testid=so-reply]').innerText()).includes('公示期 20 日'), 'the answer is not shown');
  await mine.locator('[data-testid=so-return-text]').fill('请补充公示起止日期');
  await mine.locator('[data-testid=so-return]').click();
  await s.waitForSelector('[data-testid=sorders-done]');
  r = await supervisor('GET', '/api/v1/supervision-orders/' + order.number);
  check(r.body.status === 'open' && r.body.rounds === 2 && r.body.instruction === '请补充公示起止日期', 'not sent back: ' + JSON.stringify(r.body));
  r = await acceptor('POST', `/api/v1/supervision-orders/${order.number}/reply`, { version: r.body.version, reply: '公示期为 12 月 1 日至 12 月 20 日' });
  check(r.status === 200, 'second answer: ' + JSON.stringify(r.body));
  await s.reload();
  await mine.locator('[data-testid=so-close]').click();
  await answerConfirm(s);
  await s.waitForSelector(`[data-testid=sorder-${order.number}] .state-closed`);
  r = await supervisor('GET', '/api/v1/supervision-orders/' + order.number);
  check(r.body.status === 'closed' && r.body.closed_at, 'not closed: ' + JSON.stringify(r.body));
  check(s.errors.length === 0 && d.errors.length === 0, 'script errors: ' + [...s.errors, ...d.errors].join('; '));
  await d.context().close();

  step('the supervisors\' claims page');
  await s.goto(base + '/supervise/claims');
  await s.waitForSelector('[data-testid=claims-table], [data-testid=claims-empty]');
  await s.context().close();

  step('random inspections: the demo staff and conflict, another conflict declared');
  const a = await newPage(browser);
  await signIn(a, base, 'sc.approver', '/workbench/inspections');
  await a.waitForSelector('[data-testid=pl-conflict-table]');
  const staff = (await approver('GET', '/api/v1/inspection-staff?department=' + DEPT)).body.inspectors;
  check(staff.length === 2, 'demo inspection staff: ' + JSON.stringify(staff));
  for (const x of staff) await a.waitForSelector(`[data-testid=pl-inspector-${x.account}]`);
  const demo = JSON.parse(fs.readFileSync(path.join(source, 'demo', 'supervision.json'), 'utf8'));
  const target = demo.enterprises[1].uscc;
  await a.selectOption('[data-testid=pl-c-account]', staff[0].account);
  await a.fill('[data-testid=pl-c-uscc]', target);
  await a.fill('[data-testid=pl-c-reason]', '曾为该企业提供咨询');
  await a.click('[data-testid=pl-declare]');
  await a.waitForSelector('[data-testid=plans-done]');
  check((await a.locator('[data-testid=pl-conflict-table]').innerText()).includes(target), 'the declared conflict is not listed');
  const conflicts = (await approver('GET', '/api/v1/inspection-conflicts?department=' + DEPT)).body.conflicts;
  check(conflicts.length === 2, 'conflicts: ' + JSON.stringify(conflicts));

  step('a plan drawn from the page: seed shown, reproduced, nobody drawn against a conflict');
  await a.fill('[data-testid=pl-title]', '食品经营双随机抽查（第二批）');
  await a.selectOption('[data-testid=pl-type]', 'food_trading');
  await a.fill('[data-testid=pl-entities]', '3');
  await a.fill('[data-testid=pl-per]', '1');
  await a.click('[data-testid=pl-draw]');
  await a.waitForURL((u) => u.pathname.startsWith('/workbench/inspections/SS'));
  const number = new URL(a.url()).pathname.split('/').pop();
  await a.waitForSelector('[data-testid=plan-seed]');
  let plan = (await approver('GET', '/api/v1/inspection-plans/' + number)).body;
  check((await a.locator('[data-testid=plan-seed]').innerText()) === plan.seed && /^[0-9a-f]{32}$/.test(plan.seed), 'the seed is not shown');
  check(plan.reproduced === true && (await a.locator('[data-testid=plan-reproduced]').innerText()).includes('一致'), 'the draw is not shown reproduced');
  check(plan.entries.length === 3, 'entries: ' + JSON.stringify(plan.entries));
  for (const e of plan.entries)
    for (const x of e.inspectors) check(!conflicts.some((c) => c.account === x.account && c.uscc === e.uscc), `${x.account} drawn for ${e.uscc} despite a conflict`);

  step('a serious finding suspends the permit; a rectification; then published');
  const serious = plan.entries[0];
  let entry = a.locator(`[data-testid=pe-${serious.uscc}]`);
  await entry.locator('[data-testid=pe-r-serious]').check();
  await entry.locator('[data-testid=pe-note]').fill('超范围经营');
  await entry.locator('[data-testid=pe-record]').click();
  await answerConfirm(a);
  await entry.locator('[data-testid=pe-suspended]').waitFor();
  check((await entry.locator('[data-testid=pe-suspended]').innerText()).includes(serious.licences[0]), 'the suspended permit is not shown');
  const lic = await approver('GET', '/api/v1/licences/' + serious.licences[0]);
  check(lic.status === 200 && lic.body.status === 'suspended', 'the permit is not suspended: ' + JSON.stringify(lic.body));
  entry = a.locator(`[data-testid=pe-${plan.entries[1].uscc}]`);
  await entry.locator('[data-testid=pe-r-rectify]').check();
  await entry.locator('[data-testid=pe-record]').click();
  await entry.locator('[data-testid=pe-result]').waitFor();
  await a.click('[data-testid=plan-publish]');
  await answerConfirm(a);
  await a.waitForSelector('[data-testid=plan-published]');
  plan = (await approver('GET', '/api/v1/inspection-plans/' + number)).body;
  check(plan.status === 'published', 'not published: ' + plan.status);
  const q = await newPage(browser);
  await q.goto(base + '/inspections');
  const shown = await q.locator(`[data-testid=plan-${number}]`).innerText();
  check(shown.includes(plan.seed) && shown.includes(serious.uscc), 'the public page does not show the plan: ' + shown);
  check(a.errors.length === 0 && q.errors.length === 0, 'script errors: ' + [...a.errors, ...q.errors].join('; '));
  await q.context().close();
  await a.context().close();

  step('axe-core on the new pages, both languages, desktop and phone');
  const pages = [
    { user: 'supervisor', path: '/supervise/orders', ready: '[data-testid=sorders-issue]', shot: 'supervise-orders' },
    { user: 'supervisor', path: '/supervise/orders/' + order.number, ready: `[data-testid=sorder-${order.number}]`, shot: 'supervise-order' },
    { user: 'supervisor', path: '/supervise/claims', ready: '[data-testid=claims-table], [data-testid=claims-empty]', shot: 'supervise-claims' },
    { user: 'sc.acceptor', path: '/workbench/supervision', ready: `[data-testid=dsup-answered-${order.number}]`, shot: 'department-supervision' },
    { user: 'sc.approver', path: '/workbench/inspections', ready: '[data-testid=pl-conflict-table]', shot: 'inspection-plans' },
    { user: 'sc.approver', path: '/workbench/inspections/' + number, ready: '[data-testid=plan-published]', shot: 'inspection-plan' },
  ];
  const axe = [];
  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      for (const pg of pages) {
        const tag = `${pg.path} ${locale} ${viewport.width}x${viewport.height}`;
        const p = await newPage(browser, { locale, viewport });
        await signIn(p, base, pg.user, pg.path);
        await p.waitForSelector(pg.ready);
        check((await p.locator('main h1').count()) === 1, `not exactly one h1 in main (${tag})`);
        axe.push(...(await axeProblems(p, tag, shotName(pg.shot, { locale, viewport }))));
        check(!(await sideways(p)), `${tag} scrolls sideways`);
        check(p.errors.length === 0, `script errors (${tag}): ` + p.errors.join('; '));
        await p.context().close();
      }
    }
  }
  check(axe.length === 0, 'axe-core problems:\n' + axe.join('\n'));
});
