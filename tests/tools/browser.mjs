// What every browser test of the portal shares: Chromium through playwright-core, a page per
// locale that records script errors and missing translations, signing in and out, the API
// client with a cookie session for set-up, the problem and error-summary readers, the
// confirmation box, axe-core, and a small PDF to upload. portal-e2e.mjs and the e2e-*.mjs
// files of each domain import it.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { DEMO_PASSWORD as PASSWORD, signIn as apiSignIn, startServer } from './server.mjs';

export const step = (msg) => console.log('- ' + msg);

// A small API client with a cookie session, for set-up and checks outside the browser.
export async function apiSession(base, username) {
  const { cookie, csrf: csrf_token } = await apiSignIn(base, username);
  const call = async (method, p, body, raw) => {
    const r = await fetch(base + p, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': raw ? 'application/octet-stream' : 'application/json' },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const json = (method, p, body) => call(method, p, body, false);
  json.raw = (method, p, body) => call(method, p, body, true);
  return json;
}

export function fail(msg) {
  throw new Error(msg);
}

export function check(cond, msg) {
  if (!cond) fail(msg);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// `elder`: the portal's elderly-friendly mode (适老化: large text, high contrast) switched on.
// The screenshot name of a page in a test's loop over languages, sizes and modes: only the
// Chinese pages are kept (and the elderly mode at desktop size), "<page>[-elder]-desktop|phone".
export function shotName(page, { locale, viewport, elder = false }) {
  if (locale !== 'zh-CN' || (elder && viewport.width < 1000)) return undefined;
  return `${page}${elder ? '-elder' : ''}-${viewport.width < 1000 ? 'phone' : 'desktop'}`;
}

export async function newPage(browser, { locale = 'zh-CN', viewport = { width: 1440, height: 900 }, elder = false } = {}) {
  const context = await browser.newContext({ viewport, locale: locale === 'en' ? 'en-US' : 'zh-CN' });
  // Generous: CI shares two cores between the server, Chromium and PostgreSQL.
  context.setDefaultTimeout(60000);
  await context.addInitScript(([l, e]) => {
    // Only the portal's own document: frames such as the PDF preview have no storage.
    if (window !== window.top) return;
    localStorage.setItem('ow.locale', l);
    if (e) localStorage.setItem('ow.elder', '1');
  }, [locale, elder]);
  const page = await context.newPage();
  page.errors = [];
  page.inflight = new Set();
  page.on('request', (r) => page.inflight.add(r));
  page.on('requestfinished', (r) => page.inflight.delete(r));
  page.on('requestfailed', (r) => page.inflight.delete(r));
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    // 401 from GET /api/v1/session when signed out is expected; vue-i18n warnings are not.
    if (m.type() === 'warning' && /Not found '.*' key/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

// Signs `page` in as `username` and opens `back`. The first sign-in of a user on a server goes
// through the login form; its session cookie is kept, and later sign-ins of that user (a new
// page in another language, size or mode) reuse it when the server still accepts it, which
// saves a login per page in the accessibility sweeps. signOut() forgets the kept sessions.
const sessions = new Map(); // `${base} ${username}` -> the session cookies

export async function signIn(page, base, username, back) {
  const key = `${base} ${username}`;
  const kept = sessions.get(key);
  if (kept) {
    const context = page.context();
    await context.addCookies(kept);
    if ((await context.request.get(`${base}/api/v1/session`)).status() === 200) {
      await page.goto(base + back);
      await page.waitForSelector('[data-testid=who]');
      return;
    }
    sessions.delete(key);
    await context.clearCookies();
  }
  await page.goto(`${base}/login?return=${encodeURIComponent(back)}`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === back.split('?')[0]), page.click('form button[type=submit]')]);
  await page.waitForSelector('[data-testid=who]');
  sessions.set(key, await page.context().cookies(base));
}

export async function signOut(page) {
  sessions.clear();
  await page.getByRole('button', { name: /退出|Sign out/ }).click();
  await page.waitForSelector('.login-link');
}

// Pages for an accessibility sweep over languages, sizes, modes and users: one page per
// language, mode and user, signed in once and kept open for the whole sweep, so that a page
// of the sweep costs a navigation (the portal's scripts already cached) and not a new browser
// context and a login. open() resizes the kept page, clears its recorded errors and goes to
// `path`; close() closes them all.
export function pagePool(browser, base) {
  const pages = new Map();
  return {
    async open(path, { locale = 'zh-CN', viewport = { width: 1440, height: 900 }, elder = false, user = null } = {}) {
      const key = `${locale} ${elder} ${user}`;
      let page = pages.get(key);
      if (!page) {
        page = await newPage(browser, { locale, viewport, elder });
        await page.context().addInitScript((on) => {
          if (window === window.top) localStorage.setItem('ow.elder', on ? '1' : '0');
        }, elder);
        pages.set(key, page);
        if (user) {
          await signIn(page, base, user, path);
          return page;
        }
      } else {
        await page.setViewportSize(viewport);
        page.errors.length = 0;
      }
      await page.goto(base + path);
      return page;
    },
    async close() {
      for (const page of pages.values()) await page.context().close();
      pages.clear();
    },
  };
}

// The problem shown (ProblemAlert): its sentence, whether the sentence comes first, the text
// outside its details for support, the details' text and summary, and whether they are open.
export async function shownProblem(page) {
  await page.waitForSelector('[data-testid=problem]');
  return page.$eval('[data-testid=problem]', (el) => {
    const details = el.querySelector('details');
    const outside = el.cloneNode(true);
    outside.querySelector('details')?.remove();
    return {
      message: el.querySelector('[data-testid=problem-message]')?.textContent.trim() ?? '',
      first: el.firstElementChild?.getAttribute('data-testid') === 'problem-message',
      outside: outside.textContent,
      details: details?.textContent ?? '',
      summary: details?.querySelector('summary')?.textContent.trim() ?? '',
      open: !!details?.open,
    };
  });
}

// The error summary after a failed submission: it has focus and stands in view above the
// form; its heading and the text of its links.
export async function expectSummaryFocused(page) {
  await page.waitForSelector('[data-testid=error-summary]');
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'error-summary');
  return page.$eval('[data-testid=error-summary]', (el) => {
    const r = el.getBoundingClientRect();
    const form = el.closest('form');
    const first = form?.querySelector('section, .el-form-item');
    if (r.top < 0 || r.top > window.innerHeight) throw new Error('the error summary is out of view: top ' + r.top);
    if (first && !(el.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING)) throw new Error('the error summary is not at the top of the form');
    return { heading: el.querySelector('h2')?.textContent.trim() ?? '', links: [...el.querySelectorAll(':scope > ul > li')].map((li) => li.textContent.trim()) };
  });
}

// Answers the confirmation asked before a step that cannot be undone (web/src/confirm.ts):
// returns its sentence after pressing the step's own button, or Cancel when `ok` is false.
export async function answerConfirm(page, ok = true) {
  const box = page.locator('.el-message-box');
  await box.waitFor();
  const sentence = (await box.locator('.el-message-box__message').textContent()).trim();
  await box.locator(ok ? 'button.confirm-step' : 'button.confirm-cancel').click();
  await box.waitFor({ state: 'hidden' });
  return sentence;
}

// A one-page PDF with a black square in the middle (the preview must draw it), padded so the
// upload takes long enough to show progress.
export function pdfBytes() {
  const content = '0 0 0 rg 50 50 100 100 re f';
  const objs = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>',
    `<</Length ${content.length}>>stream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.concat([Buffer.from(out), Buffer.alloc(200 * 1024, 32)]);
}

// zhangsan's application for 3301-SCJG-GTDJ (个体工商户登记) in 330102, through the API with
// its required materials (the case pages have their own tests), at three stages:
// submittedGtdjCase, the case as submitted (waiting for acceptance); acceptedGtdjCase, as
// sc.acceptor's acceptance returned it (its tasks include the open Approve);
// deliveredGtdjCase, also approved by sc.approver and delivered online (final): its number.
export const GTDJ_ITEM = '3301-SCJG-GTDJ';
export const GTDJ_FORM = { operator_name: '张三', operator_id: '330102199003073017', form: '个人经营', address: '杭州市上城区解放路1号', scope: '日用百货零售', phone: '13800000001' };
const openTask = (c, node) => c.tasks.find((t) => t.node === node && t.status === 'open');
export async function submittedGtdjCase(base) {
  const zhang = await apiSession(base, 'zhangsan');
  const item = await zhang('GET', '/api/v1/catalog/items/' + GTDJ_ITEM);
  check(item.status === 200, 'item: ' + item.status);
  const doc = item.body.item ?? item.body;
  const materials = [];
  for (const m of doc.materials.filter((x) => x.required && x.form !== 'paper')) {
    const up = await zhang.raw('POST', '/api/v1/materials?filename=a.pdf', pdfBytes());
    check(up.status === 201, 'upload: ' + JSON.stringify(up.body));
    materials.push({ id: up.body.id, name: m.name });
  }
  const sub = await zhang('POST', '/api/v1/cases', { item_code: GTDJ_ITEM, region_code: '330102', form: GTDJ_FORM, materials });
  check(sub.status === 201, 'submitted: ' + JSON.stringify(sub.body));
  return sub.body;
}
export async function acceptedGtdjCase(base) {
  const c = await submittedGtdjCase(base);
  const acceptor = await apiSession(base, 'sc.acceptor');
  const task = openTask(c, 'accept');
  const r = await acceptor('POST', `/api/v1/tasks/${task.id}/complete`, { version: task.version, decision: 'accept', opinion: '材料齐全，予以受理' });
  check(r.status === 200, 'accepted: ' + JSON.stringify(r.body));
  return r.body;
}
export async function deliveredGtdjCase(base) {
  const c = await acceptedGtdjCase(base);
  const approver = await apiSession(base, 'sc.approver');
  const task = openTask(c, 'Approve');
  let r = await approver('POST', `/api/v1/tasks/${task.id}/complete`, { version: task.version, decision: 'approve', opinion: '同意' });
  check(r.status === 200, 'approved: ' + JSON.stringify(r.body));
  const acceptor = await apiSession(base, 'sc.acceptor');
  r = await acceptor('POST', `/api/v1/cases/${c.tracking_no}/deliver`, { method: 'online' });
  check(r.status === 200, 'delivered: ' + JSON.stringify(r.body));
  return c.tracking_no;
}

// axe-core (WCAG 2.1 A and AA) on the page as it stands: the serious and critical
// violations, each as one line naming `name`. With OW_SCREENSHOTS set to a folder (see
// scripts/portal-screenshots.sh) and a `shot` name, the page is also saved there as <shot>.png.
// Waits until the page is still: no request of its own in flight for `quiet` ms (Playwright's
// 'networkidle' waits a fixed 500 ms), then no finite CSS animation or transition running, then
// two frames painted. What a person would call "the page has finished loading".
export async function settled(page, { quiet = 100, timeout = 15000 } = {}) {
  const deadline = Date.now() + timeout;
  let since = Date.now();
  for (;;) {
    if (page.inflight.size) since = Date.now();
    else if (Date.now() - since >= quiet) break;
    if (Date.now() > deadline) throw new Error(`settled: requests still in flight after ${timeout} ms: ${[...page.inflight].map((r) => r.url()).join(' ')}`);
    await new Promise((r) => setTimeout(r, 15));
  }
  await page.evaluate(
    (limit) =>
      new Promise((resolve) => {
        const end = Date.now() + limit;
        const running = () => document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity).length;
        const wait = () => (running() && Date.now() < end ? setTimeout(wait, 16) : requestAnimationFrame(() => requestAnimationFrame(resolve)));
        wait();
      }),
    Math.max(0, deadline - Date.now()),
  );
}

export async function axeProblems(page, name, shot) {
  if (shot && process.env.OW_SCREENSHOTS) {
    fs.mkdirSync(process.env.OW_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(process.env.OW_SCREENSHOTS, shot + '.png') });
  }
  // axe.run in the page itself (legacy mode): the default runs each frame apart and then
  // merges the results in a new blank page, injecting axe once more: more than half of each
  // check's time. The portal has no cross-origin frames. Only violations are collected.
  const result = await new AxeBuilder({ page }).setLegacyMode().withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).options({ resultTypes: ['violations'] }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  // The findings below serious are listed by rule (AXE_DEBUG=1: with the elements).
  const where = (v) => (process.env.AXE_DEBUG ? ' ' + v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`).join(' / ') : '');
  const others = result.violations.filter((v) => !bad.includes(v)).map((v) => `${v.impact} ${v.id}${where(v)}`);
  console.log(`- ${name}: ${bad.length} serious/critical, ${others.length} other axe findings${others.length ? ' (' + others.join(', ') + ')' : ''}`);
  return bad.map((v) => `${name}: ${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// The command line every e2e-*.mjs file takes: `node e2e-x.mjs [mode] --binary BIN --source DIR`.
// arg('binary') is the value after --binary; binary and source default to the dev build and the
// checkout two folders up.
export function e2eArgs(argv = process.argv.slice(2)) {
  const arg = (name) => {
    const i = argv.indexOf('--' + name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    args: argv,
    arg,
    binary: path.resolve(arg('binary') ?? '../../build/dev/onewindow'),
    source: path.resolve(arg('source') ?? '../..'),
  };
}

// Runs one browser test, with what every e2e file needs around it: the command line
// (e2eArgs), the built portal checked for, a demo server on a temporary SQLite database
// (startServer: `prefix`, and `env` for the serving process, an object or a function of the
// context), Chromium, then `fn(ctx)`. `setup(ctx)`, when given, runs before the server starts
// (a stand-in SMTP server, say) and registers its own clean-up with ctx.cleanup(fn).
// ctx: { name, args, arg, binary, source, webRoot, base, server, browser, cleanup }.
// Whatever happens, the browser is closed, the server stopped (its directory removed) and the
// clean-ups run, last registered first. Prints "<name>: all passed" and exits 0, or prints the
// failure and exits 1.
export async function runE2E(name, fn, { prefix = `ow-${name}-`, env = {}, setup } = {}) {
  const cleanups = [];
  const ctx = { name, ...e2eArgs(), cleanup: (f) => cleanups.push(f) };
  ctx.webRoot = path.join(ctx.source, 'web', 'dist');
  let code = 1;
  try {
    check(fs.existsSync(ctx.binary), `${ctx.binary} is missing: build the server first (--binary)`);
    check(fs.existsSync(path.join(ctx.webRoot, 'index.html')), `${ctx.webRoot}/index.html is missing: run make web first`);
    if (setup) await setup(ctx);
    ctx.server = await startServer({
      binary: ctx.binary,
      source: ctx.source,
      webRoot: ctx.webRoot,
      env: typeof env === 'function' ? env(ctx) : env,
      prefix,
    });
    cleanups.push(() => ctx.server.stop());
    ctx.base = ctx.server.base;
    ctx.browser = await launch();
    cleanups.push(() => ctx.browser.close());
    await fn(ctx);
    console.log(`${name}: all passed`);
    code = 0;
  } catch (e) {
    console.error(`${name} FAILED: ` + (e && e.stack ? e.stack : e));
    code = 1;
  } finally {
    for (const f of cleanups.reverse()) {
      try {
        await f();
      } catch (e) {
        console.error(`${name}: clean-up failed: ${e && e.message ? e.message : e}`);
      }
    }
  }
  process.exit(code);
}
