// Lighthouse (12.2.3, its default mobile mode: a Moto G Power-sized screen, simulated slow 4G
// and a 4x slower CPU) on the portal's home, search, guide, apply and case pages, against a
// fresh demo server this script starts on 127.0.0.1 (tests/tools/server.mjs; the signed-in
// pages with zhangsan's session cookie). Each page is measured --runs times (3 by default;
// the pages take turns, so that a disturbance of the machine falls on different pages) and
// the table gives the median of each figure, with every run's performance score beside it.
// Writes the table as Markdown to stdout and the full reports (JSON) into --out: PAGE-N.json
// for run N, and PAGE.json, a copy of the run whose performance score is the median.
// Usage (bench/lighthouse/run.sh does the set-up):
//   node run.mjs --binary BIN --source DIR --out DIR [--runs N] [--pages home,apply,...]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { startServer, signIn } from '../../tests/tools/server.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : undefined;
};
const binary = path.resolve(opt('binary'));
const source = path.resolve(opt('source') ?? '../..');
const out = path.resolve(opt('out') ?? 'reports');
const runs = Number(opt('runs') ?? 3);
const only = opt('pages')?.split(',');
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number of at least 1');
fs.mkdirSync(out, { recursive: true });

// How idle the machine's CPUs are over `ms` (0-100), from os.cpus(): the measurement is only
// as good as the quiet it had, since Lighthouse scales the time the page's tasks took here.
async function idlePercent(ms = 1000) {
  const sum = () => os.cpus().reduce((a, c) => ({ idle: a.idle + c.times.idle, all: a.all + Object.values(c.times).reduce((x, y) => x + y, 0) }), { idle: 0, all: 0 });
  const a = sum();
  await new Promise((r) => setTimeout(r, ms));
  const b = sum();
  return Math.round((100 * (b.idle - a.idle)) / Math.max(1, b.all - a.all));
}

// The median of numbers (the mean of the middle two for an even count).
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const server = await startServer({ binary, source, prefix: 'ow-lighthouse-', durable: true });
let chrome;
try {
  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  const zhang = await signIn(server.base, 'zhangsan');
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
  const selected = pages.filter((p) => !only || only.includes(p.name));
  if (!selected.length) throw new Error(`--pages names none of ${pages.map((p) => p.name).join(', ')}`);
  const results = Object.fromEntries(selected.map((p) => [p.name, []]));
  for (let run = 1; run <= runs; run++) {
    for (const p of selected) {
      const flags = { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] };
      if (p.signedIn) flags.extraHeaders = { Cookie: zhang.cookie };
      // A run Lighthouse could not finish (a runtime error, such as no paint in time on a
      // machine busy elsewhere) is run again, twice at most.
      let r;
      let idle;
      for (let attempt = 1; ; attempt++) {
        idle = await idlePercent();
        r = await lighthouse(server.base + p.path, flags);
        const broken = r.lhr.runtimeError?.code ?? (r.lhr.categories.performance?.score == null ? 'no performance score' : null);
        if (!broken) break;
        if (attempt === 3) throw new Error(`${p.name}: Lighthouse failed three times: ${broken}`);
        console.error(`${p.name} run ${run}/${runs}: Lighthouse failed (${broken}); again`);
      }
      const file = path.join(out, `${p.name}-${run}.json`);
      fs.writeFileSync(file, r.report);
      const c = r.lhr.categories;
      const score = (k) => Math.round((c[k]?.score ?? 0) * 100);
      const audits = r.lhr.audits;
      const value = (k) => audits[k].numericValue;
      results[p.name].push({
        file,
        performance: score('performance'),
        accessibility: score('accessibility'),
        bestPractices: score('best-practices'),
        fcp: value('first-contentful-paint'),
        lcp: value('largest-contentful-paint'),
        tbt: value('total-blocking-time'),
        cls: value('cumulative-layout-shift'),
      });
      const failed = Object.values(audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode === 'binary').map((a) => a.id);
      console.error(`${p.name} run ${run}/${runs}: performance ${score('performance')}, TBT ${Math.round(value('total-blocking-time'))} ms (CPUs ${idle}% idle before)` + (failed.length ? `; failed audits: ${failed.join(', ')}` : ''));
    }
  }
  const s = (ms) => (ms / 1000).toFixed(1) + ' s';
  console.log(`Median of ${runs} run${runs > 1 ? 's' : ''} per page.\n`);
  console.log('| Page | Path | Performance | Runs | Accessibility | Best practices | FCP | LCP | TBT | CLS |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const p of selected) {
    const rs = results[p.name];
    const m = (k) => median(rs.map((r) => r[k]));
    // PAGE.json: the run whose performance score is the median (the lower middle one).
    const mid = [...rs].sort((a, b) => a.performance - b.performance)[Math.floor((rs.length - 1) / 2)];
    fs.copyFileSync(mid.file, path.join(out, p.name + '.json'));
    console.log(`| ${p.name} | \`${decodeURI(p.path).replace(no, '{no}')}\` | ${m('performance')} | ${rs.map((r) => r.performance).join(', ')} | ${m('accessibility')} | ${m('bestPractices')} | ${s(m('fcp'))} | ${s(m('lcp'))} | ${Math.round(m('tbt') / 10) * 10} ms | ${+m('cls').toFixed(3)} |`);
  }
} finally {
  await chrome?.kill();
  server.stop();
}
