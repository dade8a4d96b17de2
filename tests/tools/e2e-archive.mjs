// Archived cases in the portal, in Debian's Chromium (playwright-core), against a real server
// on a temporary SQLite database loaded with seed-demo:
//
//   node e2e-archive.mjs --binary BIN --source DIR
//
// Set up through the API: a case of zhangsan's accepted, approved and delivered, and a live
// one. Then `onewindow archive --after-days 0` (the operator's command that does at once what
// the hourly job does) moves the delivered case to the archive while the server runs. zhangsan's
// 我的办件 lists it under 已归档的办件 (the live one not); its page shows the archived record
// read-only (已归档, decision, materials by name and SHA-256, the record) with no download
// button and no action; the acceptor's workbench page shows it with the download button, and
// the downloaded file is the signed package, whose JWS jose verifies with the key in it and
// whose digest is the SHA-256 of its payload. 我要查 finds it signed out, marked 已归档. A number that is neither live nor archived still
// shows the not-found problem. axe-core finds no serious or critical problem in zh-CN and
// English, at 1440x900 and 375x812, and no page scrolls sideways on a phone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import { apiSession, axeProblems, check, deliveredGtdjCase, newPage, runE2E, shotName, signIn, step, submittedGtdjCase } from './browser.mjs';

const wide = (p) => p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

await runE2E('e2e-archive', async ({ base, browser, binary, server }) => {
  step('set up: a delivered case and a live one of zhangsan\'s; archive closed cases now');
  const no = await deliveredGtdjCase(base);
  const live = (await submittedGtdjCase(base)).tracking_no;
  const out = execFileSync(binary, ['--database', 'sqlite:' + path.join(server.dir, 'demo.db'), 'archive', '--after-days', '0'], {
    cwd: server.dir,
    env: { ...process.env, ONEWINDOW_KEY_FILE: path.join(server.dir, 'keys.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
  console.log('  ' + out.trim());
  check(/^archived 1 cases /.test(out), 'the archive command did not archive exactly the delivered case: ' + out);
  const zhang = await apiSession(base, 'zhangsan');
  check((await zhang('GET', '/api/v1/cases/' + no)).status === 404, 'the live read still has the archived case');
  check((await zhang('GET', '/api/v1/cases/' + live)).status === 200, 'the live case is gone');

  const axe = [];
  step('zhangsan\'s 我的办件 lists the archived case apart; its page is the read-only record');
  const page = await newPage(browser);
  await signIn(page, base, 'zhangsan', '/me/cases');
  await page.waitForSelector(`[data-testid=my-archived-cases] a[href$="/me/cases/${no}"]`);
  check((await page.locator(`[data-testid=my-cases] a[href$="/me/cases/${no}"]`).count()) === 0, 'the archived case is in the live list');
  check((await page.locator(`[data-testid=my-cases] a[href$="/me/cases/${live}"]`).count()) === 1, 'the live case is not in the live list');
  check((await page.locator(`[data-testid=my-archived-cases] a[href$="/me/cases/${live}"]`).count()) === 0, 'the live case is listed as archived');
  check((await page.locator('[data-testid=my-archived-cases]').innerText()).includes('已归档'), 'the archived list does not say 已归档');
  axe.push(...(await axeProblems(page, 'my cases with an archived one (zh-CN)')));
  await page.locator(`[data-testid=my-archived-cases] a[href$="/me/cases/${no}"]`).click();
  await page.waitForSelector('[data-testid=archived-case]');
  check((await page.locator('main h1').count()) === 1, 'not exactly one h1 in main');
  check((await page.locator('[data-testid=archived-tag]').innerText()) === '已归档', 'the case is not marked 已归档');
  const text = await page.locator('[data-testid=archived-case]').innerText();
  for (const want of [no, '个体工商户设立登记', '已送达', '准予']) check(text.includes(want), `the archived case does not show ${want}`);
  check(!text.includes('sc.acceptor'), 'the applicant\'s view names staff');
  const api = (await zhang('GET', '/api/v1/archive/cases/' + no)).body;
  check(api.may_export === false, 'the applicant may export the package');
  const mat = api.case.materials[0];
  check(mat && text.includes(mat.sha256), 'the materials\' SHA-256 is not shown');
  check((await page.locator('[data-testid=archived-materials] a').count()) === 0, 'an archived material links to a file');
  check((await page.locator('[data-testid=archive-download]').count()) === 0, 'the applicant is offered the package');
  check((await page.locator('main button').count()) === 0, 'a button (an action) is offered on an archived case');
  check(page.errors.length === 0, 'script errors: ' + page.errors.join('; '));
  axe.push(...(await axeProblems(page, 'archived case, applicant (zh-CN)')));
  step('a number neither live nor archived still answers not found');
  await page.goto(base + '/me/cases/20260101000000000X');
  await page.waitForSelector('[data-testid=problem]');
  check((await page.locator('[data-testid=archived-case]').count()) === 0, 'an unknown number shows an archived case');
  await page.context().close();

  step('the acceptor reads it on the workbench and downloads the signed package');
  const sp = await newPage(browser);
  await signIn(sp, base, 'sc.acceptor', '/workbench/cases/' + no);
  await sp.waitForSelector('[data-testid=archive-download]');
  const staffText = await sp.locator('[data-testid=archived-case]').innerText();
  check(staffText.includes('sc.acceptor'), 'the staff view does not name the staff in the record');
  const [download] = await Promise.all([sp.waitForEvent('download'), sp.locator('[data-testid=archive-download]').click()]);
  check(download.suggestedFilename() === `${no}-archive.json`, 'the file is named ' + download.suggestedFilename());
  const file = path.join(server.dir, 'package.json');
  await download.saveAs(file);
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { payload, protectedHeader } = await jose.compactVerify(pkg.jws, await jose.importJWK(pkg.jwk, 'ES256'));
  check(protectedHeader.alg === 'ES256', 'the package is not ES256');
  const manifest = JSON.parse(Buffer.from(payload).toString('utf8'));
  check(manifest.tracking_no === no && manifest.case.decision === 'approved', 'the manifest is not the case: ' + JSON.stringify(manifest).slice(0, 200));
  check(createHash('sha256').update(payload).digest('hex') === pkg.digest, 'the digest is not the SHA-256 of the payload');
  check(staffText.includes(pkg.digest), 'the page does not show the package digest');
  await sp.waitForSelector('[data-testid=archive-downloaded]');
  // The clicked button's hover colour (Element Plus fades it) is not what axe should judge.
  await sp.mouse.move(0, 0);
  await sp.waitForTimeout(400);
  check(sp.errors.length === 0, 'script errors: ' + sp.errors.join('; '));
  axe.push(...(await axeProblems(sp, 'archived case, staff (zh-CN)')));
  await sp.context().close();

  step('我要查 (/track), signed out: the archived case is found by its number, name and ID\'s last four');
  const tp = await newPage(browser);
  await tp.goto(base + '/track');
  await tp.locator('#track-tracking_no').fill(no);
  await tp.locator('#track-name').fill('张三');
  await tp.locator('#track-id_last4').fill('3017');
  await tp.locator('[data-testid=track-submit]').click();
  await tp.waitForSelector('[data-testid=track-archived]');
  check((await tp.locator('[data-testid=track-stage]').innerText()).includes('已归档'), 'the lookup does not say 已归档');
  await tp.mouse.move(0, 0);
  await tp.waitForTimeout(400);
  axe.push(...(await axeProblems(tp, 'track an archived case (zh-CN)', shotName('track-archived', { locale: 'zh-CN', viewport: { width: 1440, height: 900 } }))));
  check(tp.errors.length === 0, 'script errors: ' + tp.errors.join('; '));
  await tp.context().close();

  step('axe-core in both languages and sizes; no sideways scrolling');
  for (const locale of ['zh-CN', 'en']) {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 375, height: 812 }]) {
      const tag = `${locale} ${viewport.width}x${viewport.height}`;
      const p = await newPage(browser, { locale, viewport });
      await signIn(p, base, 'zhangsan', '/me/cases/' + no);
      await p.waitForSelector('[data-testid=archived-case]');
      if (locale === 'en') check((await p.locator('[data-testid=archived-tag]').innerText()) === 'Archived', 'the English tag is wrong');
      axe.push(...(await axeProblems(p, `archived case, applicant (${tag})`, shotName('me-case-archived', { locale, viewport }))));
      check(!(await wide(p)), `the archived case scrolls sideways at ${tag}`);
      await p.goto(base + '/me/cases');
      await p.waitForSelector(`[data-testid=my-archived-cases] a[href$="/me/cases/${no}"]`);
      axe.push(...(await axeProblems(p, `my cases (${tag})`, shotName('me-cases-archived', { locale, viewport }))));
      check(!(await wide(p)), `my cases scroll sideways at ${tag}`);
      for (const e of p.errors) check(false, 'script error or missing text: ' + e);
      await p.context().close();
      const s = await newPage(browser, { locale, viewport });
      await signIn(s, base, 'sc.acceptor', '/workbench/cases/' + no);
      await s.waitForSelector('[data-testid=archive-download]');
      axe.push(...(await axeProblems(s, `archived case, staff (${tag})`, shotName('workbench-case-archived', { locale, viewport }))));
      check(!(await wide(s)), `the staff's archived case scrolls sideways at ${tag}`);
      for (const e of s.errors) check(false, 'script error or missing text: ' + e);
      await s.context().close();
    }
  }
  check(axe.length === 0, 'axe:\n' + axe.join('\n'));
});
