// The portal's ratings (好差评) in a real browser (playwright-core and Debian's Chromium)
// against the server binary on a demo database: a resident rates a delivered case badly on
// 我要评, the department records its follow-up call and result from the rectification inbox, the
// resident confirms; another bad rating is appealed and the region's supervisor annuls it; a
// one-time SMS link rates a third case without signing in and then no longer works; axe-core
// on every new page in zh-CN and English, normal and elderly mode, at 1440x900 and 375x812.
//
//   node e2e-ratings.mjs flow|a11y --binary BIN --source DIR
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { apiSession, axeProblems, check, deliveredGtdjCase, launch, newPage, pagePool, settled, shotName, signIn, step } from './browser.mjs';

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name) => {
  const i = args.indexOf('--' + name);
  return i > 0 ? args[i + 1] : undefined;
};
const binary = opt('binary') && path.resolve(opt('binary'));
const source = path.resolve(opt('source') ?? '../..');
if (!['flow', 'a11y'].includes(mode) || !binary) {
  console.error('usage: node e2e-ratings.mjs flow|a11y --binary BIN --source DIR');
  process.exit(2);
}

const NUMBER = /PJ\d{8}[0-9A-Z]{10}/;

async function textOf(page, selector) {
  return (await page.locator(selector).first().textContent())?.trim() ?? '';
}

// A bad rating of `no` by zhangsan, answered by the department (through the API).
async function badRatingAnswered(base, no) {
  const zhang = await apiSession(base, 'zhangsan');
  const acceptor = await apiSession(base, 'sc.acceptor');
  const reasons = await zhang('GET', '/api/v1/rating-reasons');
  const code = reasons.body.levels.find((l) => l.level === 2).reasons[0].code;
  const rated = await zhang('POST', '/api/v1/ratings', { case_no: no, level: 2, reasons: [code], comment: '窗口说法前后不一' });
  check(rated.status === 201, 'rated: ' + JSON.stringify(rated.body));
  const done = await acceptor('POST', `/api/v1/ratings/${rated.body.number}/rectification`, {
    version: rated.body.version,
    decision: 'rectified',
    contact_note: '12月7日电话回访，申请人表示材料要求不清楚',
    result: '已统一窗口口径并更新办事指南',
  });
  check(done.status === 200, 'rectified: ' + JSON.stringify(done.body));
  return rated.body.number;
}

// The rating link sent for `no`, read from the applicant's messages.
async function ratingLink(base, no) {
  const acceptor = await apiSession(base, 'sc.acceptor');
  const sent = await acceptor('POST', `/api/v1/cases/${no}/rating-link`);
  check(sent.status === 202, 'link sent: ' + JSON.stringify(sent.body));
  const zhang = await apiSession(base, 'zhangsan');
  const msgs = await zhang('GET', '/api/v1/me/messages');
  const text = JSON.stringify(msgs.body);
  const link = /\/rate\/link\/[0-9A-Z]+/.exec(text)?.[0];
  check(link, 'the message links to the rating page: ' + text.slice(0, 400));
  return link;
}

async function flow(server, browser) {
  const base = server.base;
  step('three of zhangsan\'s cases are delivered');
  const [first, second, third] = [await deliveredGtdjCase(base), await deliveredGtdjCase(base), await deliveredGtdjCase(base)];

  step('我要评 on the home page leads to the cases that can be rated');
  const zhang = await newPage(browser);
  await signIn(zhang, base, 'zhangsan', '/');
  await zhang.getByRole('link', { name: /我要评/ }).first().click();
  await zhang.waitForURL(/\/me\/rate$/);
  await zhang.waitForSelector(`[data-testid=rate-case-${first}]`);
  check((await zhang.locator('main h1').count()) === 1, 'one h1 on /me/rate');
  await zhang.click(`[data-testid=rate-open-${first}]`);

  step('no level, then a bad level without a reason: the error summary says so and takes focus');
  await zhang.click('[data-testid=rate-submit]');
  await zhang.waitForSelector('[data-testid=error-summary]');
  check(await zhang.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'error-summary'), 'the summary has focus');
  check((await textOf(zhang, '[data-testid=error-summary]')).includes('满意程度'), 'the summary names the level');
  await zhang.check('[data-testid=rate-level-1]');
  await zhang.click('[data-testid=rate-submit]');
  await zhang.waitForFunction(() => document.querySelector('[data-testid=error-summary]')?.textContent?.includes('原因'));

  step('the resident rates it very dissatisfied with a reason and words');
  await zhang.locator('[data-testid^=rate-reason-]').first().check();
  await zhang.fill('#rate-comment', '材料要求说了三次都不一样');
  await zhang.click('[data-testid=rate-submit]');
  await zhang.waitForSelector('[data-testid=rate-done]');
  const doneText = await textOf(zhang, '[data-testid=rate-done]');
  const number = NUMBER.exec(doneText)?.[0];
  check(number && doneText.includes('办理部门'), 'the number and the department\'s due date are said: ' + doneText);
  check((await zhang.locator(`[data-testid=rate-case-${first}]`).count()) === 0, 'the rated case leaves the list');

  step('the department records its follow-up call and result from the rectification inbox');
  const acceptor = await newPage(browser);
  await signIn(acceptor, base, 'sc.acceptor', '/workbench/ratings');
  const card = acceptor.locator(`[data-testid=rinbox-${number}]`);
  await card.waitFor();
  check((await card.locator('[data-testid=rinbox-due]').textContent()).includes('答复期限'), 'the due date is shown');
  await card.locator('[data-testid=rinbox-decision-rectified]').check();
  await card.locator('[data-testid=rinbox-contact]').fill('12月7日电话回访张三，已说明补正要求');
  await card.locator('[data-testid=rinbox-result]').fill('已将材料清单统一并在窗口公示');
  await card.locator('[data-testid=rinbox-submit]').click();
  await acceptor.waitForSelector('[data-testid=rinbox-done]');
  check((await acceptor.locator(`[data-testid=rinbox-${number}]`).count()) === 0, 'the answered rating leaves the inbox');

  step('the resident reads the result on /me/ratings/<number> and confirms');
  await zhang.goto(base + '/me/ratings/' + number);
  await zhang.waitForSelector('[data-testid=rating-confirm]');
  check((await textOf(zhang, '[data-testid=rating-result]')).includes('材料清单统一'), 'the result is shown');
  await zhang.click('[data-testid=rating-confirm]');
  await zhang.waitForSelector('[data-testid=rating-done]');
  check((await textOf(zhang, '[data-testid=rating-stage]')).includes('已确认'), 'confirmed and closed: ' + (await textOf(zhang, '[data-testid=rating-stage]')));

  step('another bad rating, answered; an empty appeal is refused, then the resident appeals');
  const appealed = await badRatingAnswered(base, second);
  await zhang.goto(base + '/me/ratings/' + appealed);
  await zhang.waitForSelector('[data-testid=rating-appeal]');
  await zhang.click('[data-testid=rating-appeal]');
  await zhang.waitForSelector('[data-testid=error-summary]');
  await zhang.fill('#appeal-reason', '没有人给我打过电话');
  await zhang.click('[data-testid=rating-appeal]');
  await zhang.waitForSelector('[data-testid=rating-done]');
  check((await textOf(zhang, '[data-testid=rating-stage]')).includes('督查'), 'with the supervisors');

  step('the region\'s supervisor must give a reason to annul, then annuls it');
  const sup = await newPage(browser);
  await signIn(sup, base, 'supervisor', '/workbench/ratings');
  const scard = sup.locator(`[data-testid=rinbox-${appealed}]`);
  await scard.waitFor();
  await scard.locator('[data-testid=rinbox-decision-annul]').check();
  await scard.locator('[data-testid=rinbox-submit]').click();
  await scard.locator('[role=alert]').first().waitFor();
  await scard.locator('[data-testid=rinbox-text]').fill('核实通话记录，回访电话已接通，评价与事实不符');
  await scard.locator('[data-testid=rinbox-submit]').click();
  await sup.waitForSelector('[data-testid=rinbox-done]');
  await zhang.goto(base + '/me/ratings');
  const listed = zhang.locator(`[data-testid=rating-${appealed}]`);
  await listed.waitFor();
  check((await listed.locator('[data-testid=rating-stage]').textContent()).includes('已作废'), 'the rater sees it annulled');

  step('a one-time SMS link rates the third case without signing in, once');
  const link = await ratingLink(base, third);
  const anon = await newPage(browser);
  const seen = [];
  anon.on('request', (r) => seen.push(r.url()));
  await anon.goto(base + link);
  await anon.waitForSelector('[data-testid=link-form]');
  await anon.check('[data-testid=link-level-5]');
  await anon.click('[data-testid=link-submit]');
  await anon.waitForSelector('[data-testid=link-done]');
  check(NUMBER.test(await textOf(anon, '[data-testid=link-done]')), 'the number is said');
  const token = link.split('/').pop();
  check(!seen.some((u) => u.includes('/api/') && u.includes(token)), 'the token never goes to the API in a URL');
  await anon.reload();
  await anon.waitForSelector('[data-testid=link-gone]');

  for (const p of [zhang, acceptor, sup, anon]) check(p.errors.length === 0, 'page errors: ' + p.errors.join('; '));
  return 0;
}

// Every new page, signed in as who sees it, in both languages, both modes and both sizes.
async function a11y(server, browser) {
  const base = server.base;
  const [toRate, atDept, atApplicant, atSupervisor, byLink] = [
    await deliveredGtdjCase(base), await deliveredGtdjCase(base), await deliveredGtdjCase(base), await deliveredGtdjCase(base), await deliveredGtdjCase(base),
  ];
  const zhangApi = await apiSession(base, 'zhangsan');
  const reasons = await zhangApi('GET', '/api/v1/rating-reasons');
  const code = reasons.body.levels.find((l) => l.level === 1).reasons[0].code;
  const r = await zhangApi('POST', '/api/v1/ratings', { case_no: atDept, level: 1, reasons: [code] });
  check(r.status === 201, 'rated: ' + JSON.stringify(r.body));
  const answered = await badRatingAnswered(base, atApplicant);
  const appealed = await badRatingAnswered(base, atSupervisor);
  const a = await zhangApi('GET', '/api/v1/ratings/' + appealed);
  const ap = await zhangApi('POST', `/api/v1/ratings/${appealed}/appeal`, { version: a.body.version, reason: '问题没有解决' });
  check(ap.status === 200, 'appealed: ' + JSON.stringify(ap.body));
  const link = await ratingLink(base, byLink);
  const pages = [
    { path: '/me/rate', user: 'zhangsan', shot: 'rate', open: `[data-testid=rate-open-${toRate}]` },
    { path: '/me/ratings', user: 'zhangsan', shot: 'my-ratings' },
    { path: '/me/ratings/' + answered, user: 'zhangsan', shot: 'my-rating' },
    { path: link, user: null, shot: 'rate-link' },
    { path: '/rate/link/0000000000000000000000ZZ', user: null, shot: 'rate-link-gone' },
    { path: '/workbench/ratings', user: 'sc.acceptor', shot: 'rating-inbox' },
    { path: '/workbench/ratings', user: 'supervisor', shot: 'rating-inbox-supervisor' },
  ];
  const problems = [];
  const pool = pagePool(browser, base);
  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      for (const elder of [false, true]) {
        for (const p of pages) {
          const page = await pool.open(p.path, { locale, viewport, elder, user: p.user });
          await page.waitForSelector('main h1');
          await settled(page);
          if (p.open) {
            await page.click(p.open);
            await page.waitForSelector('[data-testid=rate-form]');
          }
          check((await page.locator('main h1').count()) === 1, `${p.path}: one h1`);
          check((await page.evaluate(() => document.documentElement.classList.contains('elder'))) === elder, `${p.path}: mode`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          check(wide <= viewport.width, `${p.path}: ${wide}px wide at ${viewport.width}`);
          problems.push(...(await axeProblems(page, `${p.path} ${p.user ?? ''} ${locale} ${viewport.width} ${elder ? 'elder' : 'normal'}`, shotName(p.shot, { locale, viewport, elder }))));
          check(page.errors.length === 0, `${p.path}: page errors: ${page.errors.join('; ')}`);
        }
      }
    }
  }
  await pool.close();
  check(problems.length === 0, 'axe:\n' + problems.join('\n'));
  return 0;
}

let server;
let browser;
let code = 1;
try {
  const webRoot = path.join(source, 'web', 'dist');
  check(fs.existsSync(path.join(webRoot, 'index.html')), `${webRoot}/index.html is missing: run make web first`);
  server = await startServer({ binary, source, webRoot, prefix: 'ow-ratings-e2e-' });
  browser = await launch();
  code = await { flow, a11y }[mode](server, browser);
  console.log('PASS');
} catch (e) {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  code = 1;
} finally {
  await browser?.close().catch(() => {});
  server?.stop();
}
process.exit(code);
