// Cases use the data exchange (issue 14 part 6), in Debian's Chromium against a demo server
// on 127.0.0.1 (a temporary SQLite database loaded with seed-demo):
//
//   node e2e-fetchdata.mjs --binary BIN --source DIR
//
// zhangsan applies for 出生登记 (3301-GA-CSDJ) and, instead of uploading anything, consents to
// his data being fetched: the birth medical certificate from the health commission's birth base
// (found by his resident ID as the father), the household register and the identity cards from
// the population base. The form is pre-filled from it (the baby's name, date of birth and
// certificate number, the mother's ID, 户号, 落户地址) and the case is filed with no upload at
// all. The police acceptor accepts the case (the API): the process's fetch-data service task
// fetches the data as the platform's case-handling system; the approver's case page says
// "verified from 户籍信息" and "出生医学证明信息"; zhangsan sees the uses (the pre-fills and the
// case's, with its tracking number) in 我的数据使用记录. Then lisi applies for 结婚登记 naming
// him as the other party: the request waits in his 我的数据使用记录 until he agrees there.
// axe-core finds no serious or critical problem on the apply page (consented), the citizen's
// case page, 我的数据使用记录, the staff case page and the consent request (screenshots of the
// Chinese pages with OW_SCREENSHOTS), in zh-CN and English at 1440x900
// and 375x812.
// Prints what it does; exits 1 on the first failed expectation with the reason.
import { apiSession, axeProblems, check, newPage, runE2E, shotName, signIn, step } from './browser.mjs';

const ITEM = '3301-GA-CSDJ';
const ADMIN_TOKEN = 'e2e-fetchdata-admin-token';
const PASSWORD = 'OneWindow-demo-2026';

async function createStaff(base, username, role) {
  const r = await fetch(base + '/api/v1/staff', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + ADMIN_TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, real_name: '王警官', department_code: '3301-GA', region_code: '3301' }),
  });
  const acc = await r.json();
  check(r.status === 201, `creating ${username} answered ${r.status}: ${JSON.stringify(acc)}`);
  const sec = await apiSession(base, 'secadmin');
  const g = await sec('POST', `/api/v1/staff/${acc.id}/roles`, { role, department_code: '3301-GA', region_code: '3301' });
  check(g.status === 201, `granting ${role} to ${username} answered ${g.status}: ${JSON.stringify(g.body)}`);
}

await runE2E(
  'e2e-fetchdata',
  async ({ base, browser }) => {
    const axe = [];
    const staffReady = Promise.all([createStaff(base, 'ga.acceptor', 'acceptor'), createStaff(base, 'ga.approver', 'approver')]);
    staffReady.catch(() => {}); // a failure is reported where it is awaited, not as an unhandled rejection

    step('zhangsan consents to the birth certificate, household register and identity data instead of uploading');
    const page = await newPage(browser);
    await signIn(page, base, 'zhangsan', `/items/${ITEM}/apply?region=3301`);
    await page.waitForSelector('#f-baby_name');
    const slot = async (name) => {
      const n = await page.locator('[data-testid^=material-]').count();
      for (let i = 0; i < n; ++i) if ((await page.locator(`[data-testid=material-${i}] h3`).innerText()).includes(name)) return i;
      throw new Error('no material slot ' + name);
    };
    const register = await slot('居民户口簿');
    const ids = await slot('父母居民身份证');
    const cert = await slot('出生医学证明');
    // One consent at a time, each pre-fill awaited: the page asks for each consent's data once.
    const consent = async (i) => {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/prefill/data') && r.request().method() === 'POST');
      await page.locator(`[data-testid=use-data-${i}]`).check();
      const r = await answered;
      check(r.status() === 200, `the pre-fill from data answered ${r.status()}: ${await r.text()}`);
      check((await page.locator(`#apply-file-${i}`).count()) === 0, `material ${i} is still asked to be uploaded`);
    };
    await consent(register);
    await page.waitForSelector('[data-testid=prefilled-from-data]');
    await page.waitForFunction(() => document.querySelector('#f-household_number')?.value === '330102000101');
    check((await page.inputValue('#f-household_address')).includes('劳动路1号'), 'the registered address is not filled in');
    await consent(cert);
    await page.waitForFunction(() => document.querySelector('#f-baby_name')?.value === '张小宝');
    check((await page.inputValue('#f-birth_cert_no')) === 'Q330012345', 'the certificate number is not filled in from the birth base');
    check((await page.inputValue('#f-mother_id')) === '330102199208153029', "the mother's ID is not filled in from the birth base");
    check((await page.inputValue('#f-birth_date')) === '2026-11-20', 'the date of birth is not filled in from the birth base');
    await consent(ids);
    check((await page.locator('main h1').count()) === 1, 'not exactly one h1 in main');
    axe.push(...(await axeProblems(page, 'apply with data consent (zh-CN 1440x900)', 'apply-with-data-desktop')));

    step('chooses the rest and submits: nothing is uploaded');
    for (const [k, v] of [['baby_gender', '男'], ['follow', '随父']]) {
      await page.locator(`.el-select:has(#f-${k})`).click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: v }).click();
    }
    await page.click('[data-testid=submit-case]');
    await page.waitForURL(/\/me\/cases\//, { timeout: 15000 });
    const no = (await page.textContent('[data-testid=tracking-no]')).trim();
    await page.waitForSelector('[data-testid=case-data-GA-HJ-001]');
    check((await page.textContent('[data-testid=case-data-uses]')).includes('受理后从“户籍信息”调取'), 'the case does not say the data is fetched once accepted');
    check((await page.textContent('[data-testid=case-data-uses]')).includes('受理后从“出生医学证明信息”调取'), 'the case does not say the birth certificate is fetched once accepted');
    const zhang = await apiSession(base, 'zhangsan');
    const filed = await zhang('GET', '/api/v1/cases/' + no);
    check(filed.body.materials.length === 0, 'something was uploaded: ' + JSON.stringify(filed.body.materials));
    check(filed.body.data_uses.length === 3, 'the consents are not recorded: ' + JSON.stringify(filed.body.data_uses));
    step(`case ${no} filed without any upload`);

    step('the police station accepts: fetch-data verifies the data from the population base');
    await staffReady;
    const acceptor = await apiSession(base, 'ga.acceptor');
    const task = filed.body.tasks.find((t) => t.kind === 'accept');
    const claimed = await acceptor('POST', `/api/v1/tasks/${task.id}/claim`, { version: task.version });
    check(claimed.status === 200, 'claim answered ' + claimed.status + JSON.stringify(claimed.body));
    const done = await acceptor('POST', `/api/v1/tasks/${task.id}/complete`, { version: claimed.body.version, decision: 'accept', opinion: '材料齐全' });
    check(done.status === 200, 'accept answered ' + done.status + JSON.stringify(done.body));
    check(done.body.data_uses.every((u) => u.status === 'verified'), 'the data is not verified: ' + JSON.stringify(done.body.data_uses));

    step('the approver sees "verified from 户籍信息"');
    const staff = await newPage(browser);
    await signIn(staff, base, 'ga.approver', `/workbench/cases/${no}`);
    await staff.waitForSelector('[data-testid=case-data-GA-HJ-001]');
    const shown = await staff.textContent('[data-testid=case-data-uses]');
    check(shown.includes('已从“户籍信息”核验') && shown.includes('330102000101'), 'the staff page does not show the verified data: ' + shown);
    check(shown.includes('已从“出生医学证明信息”核验') && shown.includes('Q330012345'), 'the staff page does not show the verified birth certificate: ' + shown);
    axe.push(...(await axeProblems(staff, 'staff case with verified data (zh-CN 1440x900)', 'staff-case-data-desktop')));
    await staff.context().close();

    step('zhangsan sees both uses of his data in 我的数据使用记录');
    await page.goto(base + '/me/data-uses');
    await page.waitForSelector('[data-testid^=use-]');
    const uses = await page.textContent('main');
    check(uses.includes(no), 'the case\'s fetch is not in 我的数据使用记录');
    check(uses.includes('预填'), 'the pre-fill is not in 我的数据使用记录');
    check(uses.includes('onewindow-cases'), 'the platform\'s case-handling system is not named');
    check(uses.includes('卫生健康委员会') || uses.includes('3301-WJ'), 'the health commission\'s certificate is not among the uses');

    step('lisi applies for 结婚登记 naming zhangsan: he agrees in 我的数据使用记录');
    const lisi = await apiSession(base, 'lisi');
    const marriage = await lisi('POST', '/api/v1/cases', {
      item_code: '3301-MZ-JHDJ',
      region_code: '3301',
      form: { man_name: '张三', man_id: '330102199003073017', woman_name: '李四', woman_id: '330106198506124526', date: '2026-12-20', office: '杭州市婚姻登记处', phone: '13800000002' },
      data_consents: ['男方婚姻状况证明', '女方婚姻状况证明'],
    });
    check(marriage.status === 201, 'the marriage application answered ' + marriage.status + JSON.stringify(marriage.body));
    const mno = marriage.body.tracking_no;
    await page.reload();
    await page.waitForSelector(`[data-testid=consent-request-${mno}]`);
    check((await page.textContent(`[data-testid=consent-request-${mno}]`)).includes('李四'), 'the request does not say who asks');
    axe.push(...(await axeProblems(page, 'data consent request (zh-CN 1440x900)', 'data-uses-consent-desktop')));
    await page.click(`[data-testid=consent-agree-${mno}]`);
    await page.waitForSelector(`[data-testid=consent-answered-${mno}]`);
    const hers = await lisi('GET', '/api/v1/cases/' + mno);
    const his = hers.body.data_uses.find((u) => u.name === '男方婚姻状况证明');
    check(his && his.status === 'consented' && his.consented_by === 'zhangsan', 'his consent is not on the case: ' + JSON.stringify(hers.body.data_uses));
    for (const e of page.errors) check(false, 'script error or missing text: ' + e);
    await page.context().close();

    step('axe-core in both languages and sizes on the changed pages');
    for (const locale of ['zh-CN', 'en']) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
        if (locale === 'zh-CN' && viewport.width === 1440) continue; // done above
        const tag = `${locale} ${viewport.width}x${viewport.height}`;
        const p = await newPage(browser, { locale, viewport });
        await signIn(p, base, 'zhangsan', `/items/${ITEM}/apply?region=3301`);
        await p.waitForSelector(`[data-testid=use-data-${register}]`);
        await p.locator(`[data-testid=use-data-${register}]`).check();
        await p.waitForSelector('[data-testid=prefilled-from-data]');
        axe.push(...(await axeProblems(p, `apply with data consent (${tag})`, shotName('apply-with-data', { locale, viewport }))));
        await p.goto(`${base}/me/cases/${no}`);
        await p.waitForSelector('[data-testid=case-data-GA-HJ-001]');
        axe.push(...(await axeProblems(p, `citizen case with verified data (${tag})`, shotName('case-data', { locale, viewport }))));
        const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        check(!wide, `the case page scrolls sideways at ${tag}`);
        await p.goto(`${base}/me/data-uses`);
        await p.waitForSelector('[data-testid^=use-]');
        check((await p.textContent('main')).includes(no), `我的数据使用记录 does not list the case's fetch at ${tag}`);
        axe.push(...(await axeProblems(p, `my data uses (${tag})`, shotName('my-data-uses', { locale, viewport }))));
        check(!(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)), `我的数据使用记录 scrolls sideways at ${tag}`);
        for (const e of p.errors) check(false, 'script error or missing text: ' + e);
        await p.context().close();
        const s = await newPage(browser, { locale, viewport });
        await signIn(s, base, 'ga.approver', `/workbench/cases/${no}`);
        await s.waitForSelector('[data-testid=case-data-GA-HJ-001]');
        axe.push(...(await axeProblems(s, `staff case with verified data (${tag})`, shotName('staff-case-data', { locale, viewport }))));
        for (const e of s.errors) check(false, 'script error or missing text: ' + e);
        await s.context().close();
      }
    }
    check(axe.length === 0, 'axe:\n' + axe.join('\n'));
  },
  { env: { ONEWINDOW_ADMIN_TOKEN: ADMIN_TOKEN } },
);
