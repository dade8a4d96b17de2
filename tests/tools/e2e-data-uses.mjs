// 我的数据使用记录 (/me/data-uses) in Debian's Chromium (playwright-core) against a real server
// this script starts on 127.0.0.1 (a temporary SQLite database loaded with seed-demo, whose
// demo/data-uses.json appends three entries to the exchange's message log through
// exchange_log::Log, as the exchange does):
//
//   node e2e-data-uses.mjs --binary BIN --source DIR
//
// zhangsan sees his two uses (department, system, data, purpose, case) and not lisi's; an
// empty objection is refused on the page; a written one becomes a complaint ticket, shown on
// the use and in the API. lisi sees only her refused use. axe-core finds no serious or
// critical problem in zh-CN and English, at 1440x900 and 375x812, and the page does not
// scroll sideways on a phone.
// Prints what it does; exits 1 on the first failed expectation with the reason.
import path from 'node:path';
import { startServer } from './server.mjs';
import { apiSession, axeProblems, check, launch, newPage, shotName, signIn, step } from './browser.mjs';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const binary = path.resolve(arg('--binary') ?? '../../build/dev/onewindow');
const source = path.resolve(arg('--source') ?? '../..');

const server = await startServer({ binary, source, prefix: 'ow-e2e-data-uses-' });
const browser = await launch();
const axe = [];
try {
  const base = server.base;

  step('zhangsan opens 我的数据使用记录: his two uses, not lisi\'s');
  const page = await newPage(browser);
  await signIn(page, base, 'zhangsan', '/me/data-uses');
  await page.waitForSelector('[data-testid=use-1]');
  check((await page.locator('main h1').count()) === 1, 'not exactly one h1 in main');
  check((await page.locator('main h1').innerText()) === '我的数据使用记录', 'the heading is not 我的数据使用记录');
  check((await page.locator('[data-testid=use-2]').count()) === 1, 'the second use is missing');
  check((await page.locator('[data-testid=use-3]').count()) === 0, "lisi's use is shown to zhangsan");
  const first = await page.locator('[data-testid=use-1]').innerText();
  for (const want of ['上城区民政局', 'mz-marriage-registration', '婚姻登记核验婚姻状况', 'HY20260301000001', 'name、marital_status', '已提供']) {
    check(first.includes(want), `use 1 does not show ${want}: ${first}`);
  }
  check(page.errors.length === 0, 'script errors: ' + page.errors.join('; '));
  axe.push(...(await axeProblems(page, 'data uses (zh-CN)')));

  step('an empty objection is refused on the page; a written one becomes a complaint');
  const use1 = page.locator('[data-testid=use-1]');
  await use1.getByRole('button', { name: '对这次使用提出异议' }).click();
  await use1.getByRole('button', { name: '提交异议' }).click();
  await page.waitForSelector('[data-testid=use-1] [data-testid=problem]');
  axe.push(...(await axeProblems(page, 'data uses with an empty objection (zh-CN)')));
  await use1.getByLabel('这次使用有什么问题？').fill('我没有办理婚姻登记，为什么查询我的婚姻状况？');
  await use1.getByRole('button', { name: '提交异议' }).click();
  await page.waitForFunction(() => /投诉 ZX/.test(document.querySelector('[data-testid=use-1]')?.textContent ?? ''));
  const zhang = await apiSession(base, 'zhangsan');
  const listed = await zhang('GET', '/api/v1/me/data-uses');
  check(listed.status === 200, 'GET /api/v1/me/data-uses answered ' + listed.status);
  const objected = listed.body.uses.find((u) => u.seq === 1);
  check(objected && /^ZX/.test(objected.objection_ticket ?? ''), 'the objection is not linked to a ticket: ' + JSON.stringify(objected));
  const ticket = await zhang('GET', `/api/v1/tickets/${objected.objection_ticket}`);
  check(ticket.status === 200 && ticket.body.kind === 'complaint' && ticket.body.department_code === '3301-GA',
    'the complaint is not routed to the provider 3301-GA: ' + JSON.stringify(ticket.body));
  await page.context().close();

  step('lisi sees only her refused use');
  const lp = await newPage(browser);
  await signIn(lp, base, 'lisi', '/me/data-uses');
  await lp.waitForSelector('[data-testid=use-3]');
  check((await lp.locator('[data-testid^=use-]').count()) === 1, 'lisi sees uses that are not hers');
  check((await lp.locator('[data-testid=use-3]').innerText()).includes('平台已拒绝'), 'the refused use does not say so');
  await lp.context().close();

  step('axe-core in both languages and sizes; no sideways scrolling');
  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      const tag = `${locale} ${viewport.width}x${viewport.height}`;
      const p = await newPage(browser, { locale, viewport });
      await signIn(p, base, 'zhangsan', '/me/data-uses');
      await p.waitForSelector('[data-testid=use-2]');
      if (locale === 'en') check((await p.locator('main h1').innerText()) === 'Uses of my data', 'the English heading is wrong');
      axe.push(...(await axeProblems(p, `data uses (${tag})`, shotName('me-data-uses', { locale, viewport }))));
      await p.locator('[data-testid=use-2]').getByRole('button').click();
      await p.waitForSelector('[data-testid=use-2] textarea');
      axe.push(...(await axeProblems(p, `data uses, objecting (${tag})`)));
      const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      check(!wide, `the page scrolls sideways at ${tag}`);
      for (const e of p.errors) check(false, 'script error or missing text: ' + e);
      await p.context().close();
    }
  }
  check(axe.length === 0, 'axe:\n' + axe.join('\n'));
  console.log('e2e-data-uses: all passed');
} catch (e) {
  console.error('e2e-data-uses FAILED: ' + (e.stack || e.message));
  process.exitCode = 1;
} finally {
  await browser.close();
  server.stop();
}
