// The system administrator's service-hall pages (/admin/halls) in Debian's Chromium
// (playwright-core) against a real server this script starts on 127.0.0.1 (a temporary SQLite
// database loaded with seed-demo):
//
//   node e2e-halls.mjs --binary BIN --source DIR
//
// sysadmin opens the list, creates a hall with one window serving one item (a first try with a
// slot length out of range is refused: the error summary takes focus and names the field), and
// the hall's slots (GET /api/v1/halls/{code}/slots?item=...) follow its weekly hours; then edits
// the hours (afternoons removed, Monday opening at 08:00) and the slots follow again. When
// someone else saves the hall first, the save is refused (412) and the page offers to reload,
// which shows their version. A resident (zhangsan) is sent away from the page, and the API
// refuses their PUT with 403. axe-core finds no serious or critical problem on the list and the
// editor in zh-CN and English, at 1440x900 and 375x812.
// Prints what it does; exits 1 on the first failed expectation with the reason.
import { signIn as apiSignIn } from './server.mjs';
import { apiSession, axeProblems, check, expectSummaryFocused, newPage, runE2E, shotName, signIn, step } from './browser.mjs';

const HALL = '330102-E2E';
const ITEM = '330102-SCJG-XCYDJ';

// The ISO weekday (1 Monday ... 7 Sunday) of a YYYY-MM-DD day.
const weekday = (day) => ((new Date(day + 'T00:00:00Z').getUTCDay() + 6) % 7) + 1;
// Slot starts of [open, close) periods cut into `minutes`.
function starts(periods, minutes) {
  const out = [];
  const m = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  const f = (n) => `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  for (const [o, c] of periods) for (let t = m(o); t + minutes <= m(c); t += minutes) out.push(f(t));
  return out;
}

// Every offered slot lies in the hours of its weekday (a weekend day worked keeps Monday's), and
// a day of each kind in `must` offers exactly its slots.
async function expectSlots(base, hours, minutes, label) {
  const r = await fetch(`${base}/api/v1/halls/${HALL}/slots?item=${ITEM}`);
  check(r.status === 200, `${label}: slots answered ${r.status}`);
  const body = await r.json();
  check(body.days.length > 0, `${label}: no day offered`);
  for (const d of body.days) {
    const wd = weekday(d.day);
    const expected = starts(hours[wd] ?? hours[1], minutes);
    const got = d.slots.map((s) => s.start);
    check(got.every((s) => expected.includes(s)), `${label}: ${d.day} offers ${got.join(' ')}, expected within ${expected.join(' ')}`);
    // Today may have lost its past slots; later days offer them all.
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    if (d.day !== today) check(got.join(' ') === expected.join(' '), `${label}: ${d.day} offers ${got.join(' ')}, expected ${expected.join(' ')}`);
    check(d.slots.every((s) => s.capacity === 2), `${label}: capacity is not the window's 2 on ${d.day}`);
  }
  return body.days;
}

await runE2E('e2e-halls', async ({ base, browser }) => {
  const axe = [];
  const admin = await apiSession(base, 'sysadmin');

  step('sysadmin opens the service halls: the demo halls are listed');
  const page = await newPage(browser);
  await signIn(page, base, 'sysadmin', '/admin/halls');
  await page.waitForSelector('[data-testid=hall-330102-SMZX]');
  check(page.errors.length === 0, 'script errors: ' + page.errors.join('; '));
  axe.push(...(await axeProblems(page, 'halls (zh-CN)')));

  step('a new hall: a slot length out of range is refused at its field, through the error summary');
  await page.click('[data-testid=hall-new]');
  await page.waitForURL((u) => u.pathname === '/admin/halls/new');
  await page.fill('#hl-code', HALL);
  await page.fill('#hl-name', '上城区测试大厅');
  await page.fill('#hl-name-en', 'Shangcheng Test Hall');
  await page.fill('#hl-address', '杭州市上城区测试路 1 号');
  await page.fill('#hl-address-en', '1 Test Road, Shangcheng District, Hangzhou');
  await page.fill('#hl-phone', '0571-87000000');
  for (const [level, code] of [[0, '33'], [1, '3301'], [2, '330102']]) {
    await page.waitForSelector(`#hl-region-${level} option[value="${code}"]`, { state: 'attached' });
    await page.selectOption(`#hl-region-${level}`, code);
  }
  await page.fill('#hl-w-0-name', '综合窗口一');
  await page.fill('#hl-w-0-item-0', ITEM);
  await page.fill('#hl-w-0-capacity', '2');
  await page.fill('#hl-slot', '3');
  await page.click('[data-testid=hall-save]');
  const summary = await expectSummaryFocused(page);
  check(summary.links.length === 1 && summary.links[0].includes('预约时段长度'), 'the summary should name the slot length: ' + JSON.stringify(summary));
  check((await page.getAttribute('#hl-slot', 'aria-invalid')) === 'true', 'the slot length is not marked invalid');
  await page.click('[data-testid=error-summary] a');
  check(await page.evaluate(() => document.activeElement?.id === 'hl-slot'), 'the summary link does not focus the field');
  axe.push(...(await axeProblems(page, 'new hall with an error (zh-CN)')));
  check((await fetch(`${base}/api/v1/halls/${HALL}`)).status === 404, 'the refused hall was saved');

  step('saved with 30-minute slots: the hall is created and its slots follow its hours');
  await page.fill('#hl-slot', '30');
  await page.click('[data-testid=hall-save]');
  await page.waitForURL((u) => u.pathname === `/admin/halls/${HALL}`);
  await page.waitForSelector('[data-testid=hall-created]');
  const created = await admin('GET', `/api/v1/halls/${HALL}`);
  check(created.status === 200 && created.body.version === 1 && created.body.region_code === '330102', 'created: ' + JSON.stringify(created.body));
  check(created.body.windows.length === 1 && created.body.windows[0].items.join() === ITEM && created.body.windows[0].capacity === 2, 'window: ' + JSON.stringify(created.body.windows));
  const week = { 1: [['09:00', '12:00'], ['13:30', '17:00']] };
  for (const d of [2, 3, 4, 5]) week[d] = week[1];
  for (const d of [6, 7]) week[d] = week[1]; // weekend days offered only when worked: Monday's hours
  const before = await expectSlots(base, week, 30, 'after creating');
  check(before.some((d) => d.slots.some((s) => s.start === '13:30')), 'no afternoon slot offered');

  step('the hours edited (afternoons removed, Monday opens at 08:00), slots of 60 minutes: the slots follow');
  for (const d of [1, 2, 3, 4, 5]) await page.click(`[data-testid=remove-${d}-1]`);
  await page.fill('[data-testid=open-1-0]', '08:00');
  await page.fill('#hl-slot', '60');
  await page.click('[data-testid=hall-save]');
  await page.waitForSelector('[data-testid=hall-saved]');
  const edited = await admin('GET', `/api/v1/halls/${HALL}`);
  check(edited.body.version === 2 && edited.body.hours.length === 5 && edited.body.slot_minutes === 60, 'edited: ' + JSON.stringify(edited.body.hours));
  const after = { 1: [['08:00', '12:00']] };
  for (const d of [2, 3, 4, 5]) after[d] = [['09:00', '12:00']];
  for (const d of [6, 7]) after[d] = after[1];
  const later = await expectSlots(base, after, 60, 'after editing');
  check(!later.some((d) => d.slots.some((s) => s.start >= '12:00')), 'an afternoon slot is still offered');
  axe.push(...(await axeProblems(page, 'hall editor (zh-CN)')));

  step('someone else saves first: the save is refused (412), and reloading shows their version');
  const theirs = { ...edited.body, phone: '0571-88888888' };
  delete theirs.code;
  const { cookie, csrf } = await apiSignIn(base, 'sysadmin');
  const put = (
    await fetch(`${base}/api/v1/halls/${HALL}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'If-Match': '"h2"', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: JSON.stringify(theirs),
    })
  ).status;
  check(put === 200, 'their save answered ' + put);
  await page.fill('#hl-name', '上城区测试大厅（改）');
  await page.click('[data-testid=hall-save]');
  await page.waitForSelector('[data-testid=hall-stale]');
  check((await admin('GET', `/api/v1/halls/${HALL}`)).body.name === '上城区测试大厅', 'the stale save overwrote theirs');
  await page.click('[data-testid=hall-reload]');
  await page.waitForFunction(() => document.querySelector('#hl-phone')?.value === '0571-88888888');
  check((await page.inputValue('#hl-name')) === '上城区测试大厅', 'reloading did not show their version');
  await page.fill('#hl-name', '上城区测试大厅（改）');
  await page.click('[data-testid=hall-save]');
  await page.waitForSelector('[data-testid=hall-saved]');
  check((await admin('GET', `/api/v1/halls/${HALL}`)).body.version === 4, 'the save after reloading did not land');

  step('a new hall with an existing code is not saved over it');
  await page.goto(`${base}/admin/halls/new`);
  await page.fill('#hl-code', HALL);
  await page.click('[data-testid=hall-save]');
  await page.waitForSelector('[data-testid=hall-exists]');
  check((await admin('GET', `/api/v1/halls/${HALL}`)).body.version === 4, 'the existing hall was replaced');
  for (const e of page.errors) check(false, 'script error or missing text: ' + e);
  await page.context().close();

  step('a resident is sent away from the page, and the API refuses their PUT');
  const zp = await newPage(browser);
  await signIn(zp, base, 'zhangsan', '/');
  await zp.goto(`${base}/admin/halls`);
  await zp.waitForURL((u) => u.pathname === '/');
  check((await zp.$('[data-testid=halls]')) === null, 'the resident sees the halls list');
  await zp.goto(`${base}/admin/halls/${HALL}`);
  await zp.waitForURL((u) => u.pathname === '/');
  await zp.context().close();
  const zhang = await apiSession(base, 'zhangsan');
  const refused = await zhang('PUT', `/api/v1/halls/${HALL}`, theirs);
  check(refused.status === 403, 'resident PUT answered ' + refused.status);
  check((await admin('GET', `/api/v1/halls/${HALL}`)).body.version === 4, 'the resident changed the hall');

  step('axe-core on the list and the editor in both languages and sizes');
  for (const elder of [false, true]) {
    for (const locale of ['zh-CN', 'en']) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
        const tag = `${locale} ${viewport.width}x${viewport.height}${elder ? ' elder' : ''}`;
        const p = await newPage(browser, { locale, viewport, elder });
        await signIn(p, base, 'sysadmin', '/admin/halls');
        await p.waitForSelector(`[data-testid=hall-${HALL}]`);
        axe.push(...(await axeProblems(p, `halls (${tag})`, shotName('admin-halls', { locale, viewport, elder }))));
        await p.goto(`${base}/admin/halls/${HALL}`);
        await p.waitForSelector('[data-testid=window-0]');
        axe.push(...(await axeProblems(p, `hall editor (${tag})`, shotName('admin-hall-editor', { locale, viewport, elder }))));
        await p.fill('#hl-slot', '1');
        await p.fill('[data-testid=close-1-0]', '07:00');
        await p.click('[data-testid=hall-save]');
        const s = await expectSummaryFocused(p);
        check(s.links.length === 2, `the summary should name the slot length and Monday's closing time (${tag}): ` + JSON.stringify(s));
        axe.push(...(await axeProblems(p, `hall editor with errors (${tag})`)));
        const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        check(!wide, `the hall editor scrolls sideways at ${tag}`);
        await p.goto(`${base}/admin/halls/new`);
        await p.waitForSelector('#hl-code');
        axe.push(...(await axeProblems(p, `new hall (${tag})`)));
        for (const e of p.errors) check(false, 'script error or missing text: ' + e);
        await p.context().close();
      }
    }
  }
  check(axe.length === 0, 'axe:\n' + axe.join('\n'));
});
