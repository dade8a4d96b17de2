// Supervision pages in Debian's Chromium (playwright-core) against a real server on a temporary
// SQLite database loaded with seed-demo:
//
//   node e2e-supervise.mjs --binary BIN --source DIR
//
// Set up through the API: a suspended case of zhangsan's (330102-SCJG), an enterprise licence
// type with three licensed businesses, two inspectors, a random inspection plan drawn,
// one result recorded and the plan published. Then the supervisor's watch list
// (/supervise/warnings) shows the suspended case; the public page (/inspections) shows the plan,
// its seed, the businesses drawn and the result, and no inspector; the department answers a
// supervision order on /workbench/supervision (an empty answer refused first); axe-core
// finds no serious or critical problem on the three pages in zh-CN and English, at 1440x900 and 375x812, and
// neither scrolls sideways on a phone. The supervisor downloads the region's capability report
// (a PDF) and the anonymised ratings (CSV) from the watch list's evaluation files.
import fs from 'node:fs';
import { apiSession, axeProblems, check, newPage, pdfBytes, runE2E, shotName, signIn, step } from './browser.mjs';
import { suspendedCase } from './supervise-setup.mjs';

const DEPT = '330102-SCJG';

// GB 32100 check character of the first 17 characters of a unified social credit code.
function uscc(n) {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const first = '91330102MA' + String(n).padStart(7, '0');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(first[i]) * weights[i];
  return first + alphabet[(31 - (sum % 31)) % 31];
}

async function publishedPlan(base) {
  const sys = await apiSession(base, 'sysadmin');
  const sec = await apiSession(base, 'secadmin');
  const approver = await apiSession(base, 'sc.approver');
  let r = await sys('PUT', '/api/v1/licence-types/e2e_trading', {
    name: '食品经营许可证（测试）', department_code: DEPT, holder_kind: 'enterprise',
    schema: { type: 'object', properties: {} }, validity_months: 36, trust_level: 'A', number_prefix: 'JYT',
    issued_by_items: [], one_per_holder: false, document: { title: '食品经营许可证', fields: [] }, from_form: {},
  });
  check(r.status === 200 || r.status === 201, 'licence type: ' + JSON.stringify(r.body));
  const seals = await sec('GET', '/api/v1/seals?department=' + DEPT);
  for (const s of seals.body.seals.filter((x) => x.kind === 'licence' && x.status === 'active')) {
    r = await sec('PUT', `/api/v1/seals/${s.id}/holders/sc.approver`);
    check(r.status === 200, 'seal holder: ' + JSON.stringify(r.body));
  }
  for (let i = 0; i < 3; i++) {
    r = await approver('POST', '/api/v1/licences', { type_code: 'e2e_trading', holder: { kind: 'enterprise', id: uscc(i), name: `杭州测试食品${i}有限公司` }, fields: {}, reason: '存量证照补录' });
    check(r.status === 201, 'licence: ' + JSON.stringify(r.body));
  }
  for (const username of ['sc.acceptor', 'sc.reviewer']) {
    r = await approver('POST', '/api/v1/inspection-staff', { department_code: DEPT, username });
    check(r.status === 200, 'inspector: ' + JSON.stringify(r.body));
  }
  r = await approver('POST', '/api/v1/inspection-plans', { department_code: DEPT, licence_type: 'e2e_trading', title: '食品经营双随机抽查（测试）', entities: 2, inspectors_per_entity: 1 });
  check(r.status === 201 && r.body.reproduced === true, 'plan: ' + JSON.stringify(r.body));
  const plan = r.body;
  r = await approver('POST', `/api/v1/inspection-plans/${plan.number}/results`, { version: plan.version, uscc: plan.entries[0].uscc, result: 'rectify', note: '内部记录' });
  check(r.status === 200, 'result: ' + JSON.stringify(r.body));
  r = await approver('POST', `/api/v1/inspection-plans/${plan.number}/publication`, { version: r.body.version });
  check(r.status === 200, 'published: ' + JSON.stringify(r.body));
  return r.body;
}

await runE2E('e2e-supervise', async ({ base, browser }) => {
  step('set up: a suspended case, a published inspection plan');
  const caseNo = await suspendedCase(base);
  const plan = await publishedPlan(base);
  const supervisor = await apiSession(base, 'supervisor');
  const issued = await supervisor('POST', '/api/v1/supervision-orders', {
    department_code: DEPT, object_kind: 'case', object_ref: caseNo, subject: '中止办件督办', instruction: '请说明中止原因和预计恢复时间', due_date: '2099-01-05',
  });
  check(issued.status === 201, 'order: ' + JSON.stringify(issued.body));
  const order = issued.body.number;
  const axe = [];

  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      const tag = `${locale} ${viewport.width}x${viewport.height}`;
      step(`the supervisor's watch list (${tag})`);
      const p = await newPage(browser, { locale, viewport });
      await signIn(p, base, 'supervisor', '/supervise/warnings');
      await p.waitForSelector(`[data-testid=watch-${caseNo}]`);
      check((await p.locator('main h1').count()) === 1, 'not exactly one h1 in main');
      const row = await p.locator(`[data-testid=watch-${caseNo}]`).innerText();
      check(row.includes(locale === 'en' ? 'Suspended' : '中止'), 'the case is not shown suspended: ' + row);
      check(await p.locator('[data-testid=evaluation-downloads]').isVisible(), 'no evaluation files section');
      axe.push(...(await axeProblems(p, `watch list (${tag})`, shotName('supervise-warnings', { locale, viewport }))));
      check(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `the watch list scrolls sideways (${tag})`);
      check(p.errors.length === 0, 'script errors: ' + p.errors.join('; '));
      await p.context().close();

      step(`the department's orders and claims (${tag})`);
      const d = await newPage(browser, { locale, viewport });
      await signIn(d, base, 'sc.acceptor', '/workbench/supervision');
      await d.waitForSelector(`[data-testid=dsup-order-${order}]`);
      check((await d.locator('main h1').count()) === 1, 'not exactly one h1 in main');
      axe.push(...(await axeProblems(d, `department supervision (${tag})`)));
      check(await d.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `the department page scrolls sideways (${tag})`);
      check(d.errors.length === 0, 'script errors: ' + d.errors.join('; '));
      await d.context().close();

      step(`the public inspections page (${tag})`);
      const q = await newPage(browser, { locale, viewport });
      await q.goto(base + '/inspections');
      await q.waitForSelector(`[data-testid=plan-${plan.number}]`);
      check((await q.locator('main h1').count()) === 1, 'not exactly one h1 in main');
      const text = await q.locator(`[data-testid=plan-${plan.number}]`).innerText();
      check(text.includes(plan.seed), 'the seed is not published');
      for (const e of plan.entries) check(text.includes(e.uscc), `${e.uscc} is not listed`);
      check(text.includes(locale === 'en' ? 'ordered to fix' : '已责令整改'), 'the result is not shown: ' + text);
      check(!text.includes('内部记录'), 'the inspectors\' note is published');
      axe.push(...(await axeProblems(q, `inspections (${tag})`)));
      check(await q.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `the inspections page scrolls sideways (${tag})`);
      check(q.errors.length === 0, 'script errors: ' + q.errors.join('; '));
      await q.context().close();
    }
  }
  step("the supervisor downloads the region's capability report and the ratings from the watch list");
  const s = await newPage(browser, { locale: 'en' });
  await signIn(s, base, 'supervisor', '/supervise/warnings');
  await s.waitForSelector('[data-testid=evaluation-report]');
  check((await s.locator('[data-testid=evaluation-region]').inputValue()) === '3301', 'the region is not the supervisor\'s');
  const [report] = await Promise.all([s.waitForEvent('download'), s.locator('[data-testid=evaluation-report]').click()]);
  check(/^capability-3301-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.pdf$/.test(report.suggestedFilename()), 'report file name: ' + report.suggestedFilename());
  const pdf = fs.readFileSync(await report.path());
  check(pdf.subarray(0, 5).toString() === '%PDF-', 'the report is not a PDF');
  const [ratings] = await Promise.all([s.waitForEvent('download'), s.locator('[data-testid=evaluation-ratings]').click()]);
  const csv = fs.readFileSync(await ratings.path(), 'utf8');
  check(csv.startsWith('case_key,day,region_code'), 'the ratings CSV: ' + csv.slice(0, 80));
  check(s.errors.length === 0, 'script errors: ' + s.errors.join('; '));
  await s.context().close();

  step('the department answers the order on its page; an empty answer is refused');
  const d = await newPage(browser);
  await signIn(d, base, 'sc.acceptor', '/workbench/supervision');
  const card = d.locator(`[data-testid=dsup-order-${order}]`);
  await card.locator('[data-testid=dsup-send]').click();
  await d.waitForSelector(`[data-testid=dsup-order-${order}] [data-testid=problem]`);
  await card.getByLabel('答复内容').fill('已核实：公示期 20 日，期满即恢复办理');
  await card.locator('[data-testid=dsup-send]').click();
  await d.waitForSelector('[data-testid=dsup-done]');
  const read = await supervisor('GET', '/api/v1/supervision-orders/' + order);
  check(read.status === 200 && read.body.status === 'replied', 'the order is not replied: ' + JSON.stringify(read.body));
  await d.context().close();
  check(axe.length === 0, 'axe-core problems:\n' + axe.join('\n'));
});
