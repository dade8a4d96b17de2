// The portal's 我要问 in a real browser (playwright-core and Debian's Chromium) against the
// server binary on a demo database: a resident asks, the department's acceptor answers from
// the ticket inbox, the resident rates the answer; an answered consultation published to the
// FAQ is found by a Chinese query; an anonymous consultation gets its lookup code; the elderly
// mode (长辈模式) switches the whole portal and stays after a reload; axe-core on every new page
// in zh-CN and English, normal and elderly mode, at 1440x900 and 375x812.
//
//   node e2e-tickets.mjs flow|a11y --binary BIN --source DIR
import { apiSession, axeProblems, check, newPage, pagePool, pdfBytes, runE2E, settled, shotName, signIn, step } from './browser.mjs';

const mode = process.argv[2];
if (!['flow', 'a11y'].includes(mode)) {
  console.error('usage: node e2e-tickets.mjs flow|a11y --binary BIN --source DIR');
  process.exit(2);
}

const ITEM = '3301-SCJG-GTDJ';
const QUESTION = '个体工商户营业执照丢了，怎么补领？';

async function textOf(page, selector) {
  return (await page.locator(selector).first().textContent())?.trim() ?? '';
}

async function flow(server, browser) {
  const base = server.base;
  step('a resident asks about an item from its guide page: the form names the item');
  const zhang = await newPage(browser);
  await signIn(zhang, base, 'zhangsan', `/items/${ITEM}?region=330102`);
  await zhang.click('[data-testid=ask-link]');
  await zhang.waitForURL((u) => u.pathname === '/ask' && u.searchParams.get('item') === ITEM);
  check((await zhang.locator('main h1').count()) === 1, 'one h1 on /ask');
  await zhang.waitForSelector('#ask-item_code');
  check((await zhang.inputValue('#ask-item_code')) === ITEM, 'the guide\'s item is filled in');
  check((await textOf(zhang, '[data-testid=ask-item-name]')).includes('个体工商户'), 'the item is named in words');
  await zhang.fill('#ask-text', QUESTION);
  await zhang.setInputFiles('#ask-files', { name: '营业执照照片.pdf', mimeType: 'application/pdf', buffer: pdfBytes() });
  await zhang.waitForSelector('.el-progress.is-success');
  await zhang.click('[data-testid=ask-submit]');
  await zhang.waitForSelector('[data-testid=ask-done]');
  const done = await textOf(zhang, '[data-testid=ask-done]');
  const number = /ZX\d{8}[0-9A-Z]{10}/.exec(done)?.[0];
  check(number, 'the ticket number is shown: ' + done);

  step('a missing text is named in the error summary, which takes focus');
  await zhang.click('[data-testid=ask-submit]');
  await zhang.waitForSelector('[data-testid=error-summary]');
  check(await zhang.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'error-summary'), 'the summary has focus');

  step('the department answers from its ticket inbox');
  const acceptor = await newPage(browser);
  await signIn(acceptor, base, 'sc.acceptor', '/workbench/tickets');
  const card = acceptor.locator(`[data-testid=inbox-${number}]`);
  await card.waitFor();
  const href = await card.locator('[data-testid=inbox-attachments] a').first().getAttribute('href');
  const file = await acceptor.request.get(base + href);
  check(file.status() === 200 && (await file.body()).subarray(0, 5).toString() === '%PDF-', 'the attachment downloads: ' + file.status());
  await card.locator('textarea').fill('请携带身份证，在线申请补领营业执照。');
  await card.locator('[data-testid=inbox-answer]').click();
  await acceptor.waitForSelector('[data-testid=inbox-done]');
  check((await acceptor.locator(`[data-testid=inbox-${number}]`).count()) === 0, 'the answered ticket leaves the inbox');

  step('the acceptor publishes the answered consultation to the FAQ, edited');
  await acceptor.waitForSelector('[data-testid=faq-publish]');
  const axe = await axeProblems(acceptor, '/workbench/tickets with the publish form');
  check(axe.length === 0, 'axe:\n' + axe.join('\n'));
  check((await acceptor.inputValue('#faq-question')) === QUESTION, 'the question is prefilled');
  await acceptor.fill('#faq-question', '营业执照遗失如何补领？');
  await acceptor.fill('#faq-answer', '登录门户在线申请补领，无需登报。');
  await acceptor.click('[data-testid=faq-publish-submit]');
  await acceptor.waitForSelector('[data-testid=faq-published]');

  step('the resident reads the answer and rates it');
  await zhang.goto(base + '/me/tickets');
  const mine = zhang.locator(`[data-testid=ticket-${number}]`);
  await mine.waitFor();
  check((await mine.locator('[data-testid=ticket-answer]').textContent()).includes('补领营业执照'), 'the answer is shown');
  await mine.locator('[data-testid=rate-score]').selectOption('4');
  await mine.locator('[data-testid=rate-submit]').click();
  await mine.locator('[data-testid=ticket-rating]').waitFor();
  check((await mine.locator('[data-testid=ticket-rating]').textContent()).includes('4'), 'the rating is shown');

  step('the published entry is found by a Chinese query');
  const anon = await newPage(browser);
  await anon.goto(base + '/ask');
  await anon.fill('#faq-q', '补领');
  await anon.click('[data-testid=faq-submit]');
  await anon.waitForSelector('[data-testid=faq-results]');
  check((await textOf(anon, '[data-testid=faq-results]')).includes('营业执照遗失如何补领'), 'the FAQ entry is found');
  await anon.fill('#faq-q', '离婚登记');
  await anon.click('[data-testid=faq-submit]');
  await anon.waitForSelector('[data-testid=faq-none]');

  step('an anonymous consultation gets a lookup code that reads it');
  // The item is found by its name, not typed as a code.
  await anon.fill('#ask-item_code', '个体工商户');
  await anon.locator('[role=option]', { hasText: ITEM }).first().click();
  check((await anon.inputValue('#ask-item_code')) === ITEM, 'picking the suggestion fills the item');
  check((await textOf(anon, '[data-testid=ask-item-name]')).includes('个体工商户'), 'the picked item is named in words');
  await anon.fill('#ask-text', '可以全程网上办理吗？');
  await anon.click('[data-testid=ask-submit]');
  await anon.waitForSelector('[data-testid=ask-code]');
  const codeText = await textOf(anon, '[data-testid=ask-code]');
  const code = /[0-9A-Z]{12}/.exec(codeText)?.[0];
  const anonNumber = /ZX\d{8}[0-9A-Z]{10}/.exec(await textOf(anon, '[data-testid=ask-done]'))?.[0];
  check(code && anonNumber, 'number and code shown: ' + codeText);
  await anon.fill('#lookup-number', anonNumber);
  await anon.fill('#lookup-code', code);
  await anon.getByRole('button', { name: '查看' }).click();
  await anon.waitForSelector(`[data-testid=ticket-${anonNumber}]`);

  step('the elderly mode switches the portal and stays after a reload');
  await anon.click('[data-testid=elder-toggle]');
  check(await anon.evaluate(() => document.documentElement.classList.contains('elder')), 'html.elder set');
  const size = await anon.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  check(size >= 20, 'larger text: ' + size);
  await anon.reload();
  check(await anon.evaluate(() => document.documentElement.classList.contains('elder')), 'html.elder kept after reload');
  for (const p of [zhang, acceptor, anon]) check(p.errors.length === 0, 'page errors: ' + p.errors.join('; '));
  return 0;
}

// Every new page, signed in as who sees it, in both languages, both modes and both sizes.
async function a11y(server, browser) {
  const base = server.base;
  const pages = [
    { path: '/ask', user: null, shot: 'ask' },
    { path: '/me/tickets', user: 'zhangsan', shot: 'my-tickets' },
    { path: '/workbench/tickets', user: 'sc.acceptor', shot: 'ticket-inbox' },
    { path: '/workbench/tickets', user: 'supervisor', shot: 'ticket-inbox-supervisor' },
    { path: '/workbench/ticket-registration', user: 'hotline', shot: 'ticket-registration' },
  ];
  // Something to show in the inbox and the resident's list.
  const zhang = await apiSession(base, 'zhangsan');
  const asked = await zhang('POST', '/api/v1/tickets', { kind: 'consult', item_code: ITEM, region_code: '330102', text: QUESTION });
  check(asked.status === 201, 'asked: ' + JSON.stringify(asked.body));
  const problems = [];
  const pool = pagePool(browser, base);
  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      for (const elder of [false, true]) {
        for (const p of pages) {
          const page = await pool.open(p.path, { locale, viewport, elder, user: p.user });
          await page.waitForSelector('main h1');
          // The lists arrive after the heading: judge the page once they are in.
          await settled(page);
          check((await page.locator('main h1').count()) === 1, `${p.path}: one h1`);
          check((await page.evaluate(() => document.documentElement.classList.contains('elder'))) === elder, `${p.path}: mode`);
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

await runE2E(`e2e-tickets ${mode}`, ({ server, browser }) => ({ flow, a11y })[mode](server, browser), { prefix: 'ow-tickets-e2e-' });
