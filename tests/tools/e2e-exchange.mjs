// The data exchange's portal pages in Debian's Chromium (playwright-core) against a real server
// (runE2E: a demo server on a temporary SQLite database, every message-log entry time-stamped
// at once):
//
//   node e2e-exchange.mjs --binary BIN --source DIR
//
// The system administrator registers a system for 3301-SCJG (set-up through the API). On
// "Data we provide", sc.acceptor (330102-SCJG) drafts a conditional resource on the
// legal-person base and submits it; sc.approver publishes it. On "Data we use", city.reviewer
// (3301-SCJG) first sends an empty application (the error summary takes focus), then applies
// for the system; sc.approver grants it on the provider page, and city.reviewer sees the
// grant with its end. The system queries the resource with its client-credentials token
// (answered) and a resource it holds no grant for (refused); the auditor finds both in the
// exchange log by the system's client id, and the evidence of the answered one is recomputed
// in the browser. The system asks for a bulk extract; city.reviewer sees it ready, its row
// count and SHA-256, and downloads its signed manifest. axe-core on every new page in zh-CN
// and English at 1440x900 and 375x812; no page scrolls sideways on a phone.
import fs from 'node:fs';
import { apiSession, axeProblems, check, expectSummaryFocused, newPage, shotName, signIn, step } from './browser.mjs';
import { runE2E } from './browser.mjs';

const CODE = 'SCJG-E2E-1';
const CREDIT = '91330102MA2H00001L'; // demo/exchange.json legal_person

async function clientToken(base, id, secret) {
  const r = await fetch(base + '/oauth2/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
  });
  const body = await r.json();
  check(r.status === 200, 'token: ' + JSON.stringify(body));
  return body;
}

async function query(base, token, code, fields) {
  const r = await fetch(`${base}/api/v1/exchange/resources/${code}/query`, {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ subject: CREDIT, fields, purpose: '核验企业登记信息', case_tracking: 'SL2026E2E0001' }),
  });
  return { status: r.status, body: await r.json() };
}

const noErrors = (page) => check(page.errors.length === 0, 'script errors or missing texts: ' + page.errors.join('; '));

await runE2E(
  'e2e-exchange',
  async ({ base, browser }) => {
    step('set-up: the system administrator registers a system of 3301-SCJG');
    const admin = await apiSession(base, 'sysadmin');
    const made = await admin('POST', '/api/v1/oidc/clients', { name: '市场监管局业务系统', type: 'confidential', grant_types: ['client_credentials'], scopes: ['exchange'] });
    check(made.status === 201, 'client: ' + JSON.stringify(made.body));
    const sys = made.body;
    const reg = await admin('PUT', `/api/v1/exchange/systems/${sys.client_id}`, { department_code: '3301-SCJG' });
    check(reg.status === 200, 'system: ' + JSON.stringify(reg.body));
    const axe = [];

    step('sc.acceptor drafts a resource on 本部门提供的数据 and submits it');
    const acc = await newPage(browser);
    await signIn(acc, base, 'sc.acceptor', '/workbench/exchange/provider');
    check((await acc.locator('main h1').innerText()) === '本部门提供的数据', 'provider heading');
    await acc.click('[data-testid=xr-new]');
    await acc.fill('#xr-code', CODE);
    await acc.fill('#xr-name-zh', '企业登记状态（测试）');
    await acc.fill('#xr-name-en', 'Business registration status (test)');
    await acc.selectOption('#xr-subject', 'legal');
    await acc.selectOption('#xr-share', 'conditional');
    await acc.fill('#xr-conditions', '须说明办件用途');
    await acc.selectOption('#xr-source', 'legal_person');
    await acc.fill('#xr-field-0-name', 'name');
    await acc.fill('#xr-field-0-label_zh', '企业名称');
    await acc.fill('#xr-field-0-label_en', 'Name');
    await acc.getByRole('button', { name: '添加数据项' }).click();
    await acc.fill('#xr-field-1-name', 'status');
    await acc.fill('#xr-field-1-label_zh', '登记状态');
    await acc.fill('#xr-field-1-label_en', 'Status');
    axe.push(...(await axeProblems(acc, 'provider, new resource form (zh-CN)')));
    await acc.click('[data-testid=xr-save]');
    await acc.waitForSelector(`[data-testid=xr-draft-${CODE}]`);
    await acc.locator(`[data-testid=xr-draft-${CODE}]`).getByRole('button', { name: '提交审核' }).click();
    await acc.waitForFunction((c) => /待审核/.test(document.querySelector(`[data-testid=xr-draft-${c}]`)?.textContent ?? ''), CODE);
    noErrors(acc);
    await acc.context().close();

    step('sc.approver publishes it');
    const appr = await newPage(browser);
    await signIn(appr, base, 'sc.approver', '/workbench/exchange/provider');
    await appr.locator(`[data-testid=xr-draft-${CODE}]`).getByRole('button', { name: '发布' }).click();
    await appr.waitForSelector(`[data-testid=xr-pub-${CODE}]`);

    step('city.reviewer applies for the system on 本部门使用的数据 (an empty application first)');
    const con = await newPage(browser);
    await signIn(con, base, 'city.reviewer', '/workbench/exchange/consumer');
    await con.waitForSelector(`[data-testid=xc-system-${sys.client_id}]`);
    await con.fill('#xc-q', CODE);
    await con.click('[data-testid=xc-search]');
    await con.click(`[data-testid=xc-choose-${CODE}]`);
    await con.click('[data-testid=xc-send]');
    await expectSummaryFocused(con);
    axe.push(...(await axeProblems(con, 'consumer, application with errors (zh-CN)')));
    await con.getByLabel('企业名称 (name)').check();
    await con.getByLabel('登记状态 (status)').check();
    await con.fill('#xc-purpose', '办理企业变更登记时核验企业登记状态');
    await con.fill('#xc-legal', '《优化营商环境条例》第三十八条');
    await con.fill('#xc-days', '90');
    await con.check('[data-testid=xc-bulk]');
    await con.click('[data-testid=xc-send]');
    await con.waitForSelector('[data-testid=xc-done]');
    check(/等待提供部门审批/.test(await con.locator('[data-testid=xc-done]').innerText()), 'the application is not said to wait');
    check(/待提供部门审批/.test(await con.locator(`[data-testid=xc-app-${CODE}]`).innerText()), 'the application is not listed as pending');
    noErrors(con);

    step('sc.approver grants it; city.reviewer sees the grant and its end');
    await appr.reload();
    const app = appr.locator('[data-testid^=xr-app-]').filter({ hasText: CODE });
    check((await app.innerText()).includes(sys.client_id), 'the application does not name the system');
    await app.getByRole('button', { name: '同意授权' }).click();
    await appr.waitForSelector('[data-testid=xr-no-apps]');
    noErrors(appr);
    await appr.context().close();
    await con.reload();
    const granted = await con.locator(`[data-testid=xc-app-${CODE}]`).innerText();
    check(/已授权/.test(granted) && /name, status · 批量/.test(granted), 'the grant is not shown: ' + granted);
    await con.context().close();

    step('the system queries: answered for the grant, refused without one');
    const tok = await clientToken(base, sys.client_id, sys.client_secret);
    check(tok.scope.includes('exchange:' + CODE), 'the token lacks the scope: ' + tok.scope);
    const ok = await query(base, tok.access_token, CODE, ['name', 'status']);
    check(ok.status === 200 && ok.body.answer.found === true, 'query: ' + JSON.stringify(ok.body));
    const no = await query(base, tok.access_token, 'SCJG-QY-001', ['name']);
    check(no.status === 403, 'a resource without grant answered ' + no.status);

    step("the auditor finds both in the exchange log by the system's client id; the evidence checks");
    const aud = await newPage(browser);
    await signIn(aud, base, 'auditor', '/admin/exchange-log');
    await aud.fill('#xl-client', sys.client_id);
    await aud.click('[data-testid=xl-search]');
    const entry = `[data-testid=xl-entry-${ok.body.log_seq}]`;
    await aud.waitForSelector(entry);
    check((await aud.locator('[data-testid^=xl-entry-]').count()) === 2, 'not exactly the two queries of the system');
    check(/已提供/.test(await aud.locator(entry).innerText()), 'the answered query is not shown as answered');
    check(/已拒绝/.test(await aud.locator('[data-testid^=xl-entry-]').first().innerText()), 'the refused query is not shown first as refused');
    await aud.click(`[data-testid=xl-evidence-btn-${ok.body.log_seq}]`);
    await aud.waitForFunction((s) => /已在本浏览器中重新计算/.test(document.querySelector(`[data-testid=xl-evidence-${s}]`)?.textContent ?? ''), ok.body.log_seq);
    axe.push(...(await axeProblems(aud, 'exchange log with evidence (zh-CN)')));
    noErrors(aud);
    await aud.context().close();

    step('the system asks for a bulk extract; city.reviewer sees it ready with its signed manifest');
    const asked = await fetch(`${base}/api/v1/exchange/resources/${CODE}/extracts`, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + tok.access_token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fields: ['name', 'status'], purpose: '企业名录比对' }),
    });
    const extract = await asked.json();
    check(asked.status === 202, 'extract: ' + JSON.stringify(extract));
    let ready = extract;
    for (let i = 0; i < 100 && ready.status !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const r = await fetch(`${base}/api/v1/exchange/resources/${CODE}/extracts/${extract.id}`, { headers: { Authorization: 'Bearer ' + tok.access_token } });
      ready = await r.json();
    }
    check(ready.status === 'ready' && ready.row_count >= 2, 'the extract is not ready: ' + JSON.stringify(ready));
    const xp = await newPage(browser);
    await signIn(xp, base, 'city.reviewer', '/workbench/exchange/consumer');
    const row = xp.locator(`[data-testid=xc-extract-${extract.id}]`);
    await row.waitFor();
    const rowText = await row.innerText();
    check(/可下载/.test(rowText) && rowText.includes(ready.sha256) && rowText.includes(String(ready.row_count)), 'the extract row: ' + rowText);
    const link = xp.locator(`[data-testid=xc-manifest-${extract.id}]`);
    check((await link.getAttribute('download')) === extract.id + '.manifest.jwt', 'the manifest link does not download a file');
    // Downloaded as a person would (the portal's CSP lets no script fetch a blob: URL).
    const [saved] = await Promise.all([xp.waitForEvent('download'), link.click()]);
    check(saved.suggestedFilename() === extract.id + '.manifest.jwt', 'the manifest downloads as ' + saved.suggestedFilename());
    const jws = fs.readFileSync(await saved.path(), 'utf8');
    check(jws === ready.manifest, 'the manifest link holds something else');
    axe.push(...(await axeProblems(xp, 'consumer with a bulk extract (zh-CN)')));
    noErrors(xp);
    await xp.context().close();

    step('axe-core on every new page in both languages and sizes; no sideways scrolling');
    for (const locale of ['zh-CN', 'en']) {
      for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
        const tag = `${locale} ${viewport.width}x${viewport.height}`;
        const pages = [
          ['sc.approver', '/workbench/exchange/provider', `[data-testid=xr-pub-${CODE}]`, 'exchange-provider'],
          ['city.reviewer', '/workbench/exchange/consumer', `[data-testid^=xc-extract-]`, 'exchange-consumer'],
          ['sc.approver', '/workbench/exchange/log', '[data-testid^=xl-entry-], [data-testid=xl-none]', 'exchange-log-department'],
          ['auditor', '/admin/exchange-log', entry, 'exchange-log'],
        ];
        let who = '';
        let p = null;
        for (const [user, url, ready, shot] of pages) {
          if (user !== who) {
            if (p) await p.context().close();
            p = await newPage(browser, { locale, viewport });
            await signIn(p, base, user, url);
            who = user;
          } else {
            await p.goto(base + url);
          }
          await p.waitForSelector(ready);
          check((await p.locator('main h1').count()) === 1, `${url}: not exactly one h1 in main`);
          axe.push(...(await axeProblems(p, `${url} (${tag})`, shotName(shot, { locale, viewport }))));
          const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
          check(!wide, `${url} scrolls sideways at ${tag}`);
          noErrors(p);
        }
        await p.context().close();
      }
    }
    check(axe.length === 0, 'axe:\n' + axe.join('\n'));
  },
  { env: { ONEWINDOW_XLOG_STAMP_EVERY_ENTRIES: '1' } },
);
