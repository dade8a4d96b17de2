// Lighthouse (12.2.3, its default mobile mode: a Moto G Power-sized screen, simulated slow 4G
// and a 4x slower CPU) on the portal's home, search, guide, apply and case pages, against a
// fresh demo server this script starts on 127.0.0.1 (the signed-in pages with zhangsan's
// session cookie). Writes the scores as a Markdown table to stdout and the full reports
// (JSON) into --out. Usage (bench/lighthouse/run.sh does the set-up):
//   node run.mjs --binary BIN --source DIR --out DIR
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : undefined;
};
const binary = path.resolve(opt('binary'));
const source = path.resolve(opt('source') ?? '../..');
const out = path.resolve(opt('out') ?? 'reports');
fs.mkdirSync(out, { recursive: true });

async function startServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-lighthouse-'));
  const db = 'sqlite:' + path.join(dir, 'lh.db');
  const env = { ...process.env, ONEWINDOW_KEY_FILE: path.join(dir, 'keys.json') };
  execFileSync(binary, ['--database', db, 'seed-demo'], { cwd: source, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const child = spawn(binary, ['--database', db, 'serve', '--listen', '127.0.0.1:0', '--web-root', path.join(source, 'web', 'dist')], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + log)), 30000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /"event":"server.listening".*"port":(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  child.stderr.resume();
  return { base: `http://127.0.0.1:${port}`, stop: () => (child.kill('SIGTERM'), fs.rmSync(dir, { recursive: true, force: true })) };
}

async function session(base, username) {
  const res = await fetch(base + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'OneWindow-demo-2026' }),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error('sign-in answered ' + res.status);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await res.json();
  return { cookie, csrf: csrf_token };
}

const server = await startServer();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
try {
  const zhang = await session(server.base, 'zhangsan');
  // A case of zhangsan's to show: 社会保险待遇领取资格认证 with a copy of the ID card.
  const headers = { Cookie: zhang.cookie, 'X-CSRF-Token': zhang.csrf };
  const pdf = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
  const up = await fetch(server.base + '/api/v1/materials?filename=id.pdf', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: pdf });
  const material = (await up.json()).id;
  const filed = await fetch(server.base + '/api/v1/cases', {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ item_code: '33-RS-ZGRZ', region_code: '3301', form: { name: '张三', id_number: '330102199003073017' }, materials: [{ id: material, name: '居民身份证' }] }),
  });
  const filedBody = await filed.json();
  const no = filedBody.tracking_no;
  if (!no) throw new Error(`filing a case for the case page failed: ${filed.status} ${JSON.stringify(filedBody)}`);
  const pages = [
    { name: 'home', path: '/' },
    { name: 'search', path: '/catalog?q=' + encodeURIComponent('身份证') },
    { name: 'guide', path: '/items/330102-SCJG-XCYDJ' },
    { name: 'apply', path: '/items/330102-SCJG-XCYDJ/apply', signedIn: true },
    { name: 'case', path: '/me/cases/' + no, signedIn: true },
  ];
  const rows = [];
  for (const p of pages) {
    const flags = { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] };
    if (p.signedIn) flags.extraHeaders = { Cookie: zhang.cookie };
    const r = await lighthouse(server.base + p.path, flags);
    fs.writeFileSync(path.join(out, p.name + '.json'), r.report);
    const c = r.lhr.categories;
    const score = (k) => Math.round((c[k]?.score ?? 0) * 100);
    const audits = r.lhr.audits;
    rows.push(`| ${p.name} | \`${p.path.replace(no, '{no}')}\` | ${score('performance')} | ${score('accessibility')} | ${score('best-practices')} | ${audits['first-contentful-paint'].displayValue} | ${audits['largest-contentful-paint'].displayValue} | ${audits['total-blocking-time'].displayValue} | ${audits['cumulative-layout-shift'].displayValue} |`);
    const failed = Object.values(audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode === 'binary').map((a) => a.id);
    if (failed.length) console.error(`${p.name}: failed audits: ${failed.join(', ')}`);
  }
  console.log('| Page | Path | Performance | Accessibility | Best practices | FCP | LCP | TBT | CLS |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  await chrome.kill();
  server.stop();
}
