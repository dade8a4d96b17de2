// The failover drill (issue 18, "Must show"): case submissions through nginx while
//   1. Patroni switches the primary over to the standby (patronictl switchover), then
//   2. the new primary's postmaster is killed with SIGKILL (Patroni restarts it).
// Each client retries a submission that got no answer, a 5xx or a timeout with the same
// Idempotency-Key (waiting Retry-After when given), so a retry never makes a second case.
// Afterwards: every acknowledged submission is present, none is duplicated, and the
// windows of failed answers (503 and others) around each event are measured and printed.
// Every loop is bounded in count and time. Run by tests/cluster/run.sh (make failover-drill).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { LB, FORM, ITEM, PDF, call, check, failed, requiredMaterials, signIn, sleep, step } from './lib.mjs';

const DIR = process.env.OW_CLUSTER_DIR;
const PATRONI = (process.env.OW_CLUSTER_PATRONI || '').split(/\s+/).filter(Boolean);
const PATRONI_CONFIG = process.env.OW_CLUSTER_PATRONI_CONFIG;
const CLIENTS = Number(process.env.DRILL_CLIENTS || 4);
const MAX_SUBMISSIONS = Number(process.env.DRILL_MAX_SUBMISSIONS || 3000);
const MAX_SECONDS = Number(process.env.DRILL_MAX_SECONDS || 120);
const REQUEST_TIMEOUT_MS = 10000; // a request taking longer counts as hung
const t0 = Date.now();
const rel = (t) => ((t - t0) / 1000).toFixed(2);

async function primary() {
  for (let i = 0; i < PATRONI.length; i++) {
    const r = await call(PATRONI[i], 'GET', '/primary', { timeout: 2000 });
    if (r.status === 200) return { index: i + 1, name: 'pg' + (i + 1), info: r.body };
  }
  return null;
}
async function waitFor(what, fn, seconds) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (await fn()) return true;
    await sleep(200);
  }
  console.log(`  (gave up waiting for ${what} after ${seconds} s)`);
  return false;
}
async function syncStandby() {
  const r = await call(PATRONI[0], 'GET', '/cluster', { timeout: 2000 });
  return r.status === 200 && (r.body.members || []).some((m) => m.role === 'sync_standby' && m.state === 'running');
}

// ---------------------------------------------------------------- the load
const log = []; // {t, ms, status, client, kind}
const acked = new Map(); // key -> tracking_no
const givenUp = []; // keys whose submission never got an answer within its budget
let submissions = 0;
let stopping = false;

const attempts = new Map(); // submission key -> the answers its attempts got, in order
async function withRetries(kind, client, fn, budgetMs = 60000, key = undefined) {
  const end = Date.now() + budgetMs;
  for (let attempt = 1; attempt <= 200 && Date.now() < end; attempt++) {
    const start = Date.now();
    const r = await fn();
    log.push({ t: start, ms: Date.now() - start, status: r.status, client, kind });
    if (key) attempts.set(key, [...(attempts.get(key) || []), `${r.status}@${rel(start)}s+${Date.now() - start}ms`]);
    if (r.status >= 200 && r.status < 300) return r;
    if (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 429) return r; // a real refusal
    const after = Number(r.headers.get('retry-after'));
    await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 200);
  }
  return { status: -1 };
}

async function client(n, who, names) {
  while (!stopping && submissions < MAX_SUBMISSIONS && Date.now() - t0 < MAX_SECONDS * 1000) {
    submissions++;
    const key = crypto.randomBytes(9).toString('base64url');
    const materials = [];
    for (const name of names) {
      const ukey = key + '-m' + materials.length;
      const up = await withRetries('upload', n, () =>
        who(LB).send('POST', '/api/v1/materials?filename=a.pdf', PDF, { raw: true, timeout: REQUEST_TIMEOUT_MS, headers: { 'Idempotency-Key': ukey } }));
      if (up.status !== 201) break;
      materials.push({ id: up.body.id, name });
    }
    if (materials.length !== names.length) {
      givenUp.push(key);
      continue;
    }
    // The key is also written into the form (the address), so that the cases made can be
    // counted per key afterwards whatever the server did with the header.
    const body = { item_code: ITEM, region_code: '330102', form: { ...FORM, address: '杭州市上城区解放路1号 drill ' + key }, materials };
    const r = await withRetries('submit', n, () =>
      who(LB).send('POST', '/api/v1/cases', body, { timeout: REQUEST_TIMEOUT_MS, headers: { 'Idempotency-Key': key } }), 60000, key);
    if (r.status === 201) acked.set(key, r.body.tracking_no);
    else {
      givenUp.push(key);
      log.push({ t: Date.now(), ms: 0, status: 'gave-up:' + r.status + ':' + JSON.stringify(r.body || '').slice(0, 160), client: n, kind: 'submit' });
    }
  }
}

// ---------------------------------------------------------------- the drill
step('cluster: ' + (await primary())?.name + ' is the primary; synchronous standby: ' + (await syncStandby()));
const zhang = await signIn(LB, 'zhangsan');
const names = await requiredMaterials(LB, ITEM);
step(`load: ${CLIENTS} clients submitting ${ITEM} (${names.length} upload(s) + 1 submission each) through nginx`);
const clients = Array.from({ length: CLIENTS }, (_, i) => client(i + 1, zhang, names));

const events = [];
await sleep(5000);
{
  const before = await primary();
  const candidate = before.index === 1 ? 'pg2' : 'pg1';
  step(`switchover ${before.name} -> ${candidate} at ${rel(Date.now())} s`);
  const t = Date.now();
  try {
    const out = execFileSync('patronictl', ['-c', PATRONI_CONFIG, 'switchover', '--leader', before.name, '--candidate', candidate, '--force'],
      { timeout: 60000, encoding: 'utf8' });
    for (const line of out.split('\n')) if (/success|switched|fail/i.test(line)) console.log('  ' + line.trim());
  } catch (e) {
    check(false, 'patronictl switchover: ' + e.message);
  }
  await waitFor('the new primary', async () => (await primary())?.name === candidate, 60);
  events.push({ name: 'switchover', t, primaryAt: Date.now() });
  await waitFor('a synchronous standby', syncStandby, 60);
}
await sleep(6000);
{
  const p = await primary();
  const pidFile = `${DIR}/pg/${p.name}/postmaster.pid`;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  step(`kill -9 of ${p.name}'s postmaster (pid ${pid}) at ${rel(Date.now())} s`);
  const t = Date.now();
  process.kill(pid, 'SIGKILL');
  await sleep(1000);
  await waitFor('a primary again', async () => (await primary()) !== null, 90);
  const after = await primary();
  console.log(`  primary after the kill: ${after && after.name} (${rel(Date.now())} s)`);
  events.push({ name: 'kill -9 postmaster', t, primaryAt: Date.now() });
  await waitFor('a synchronous standby', syncStandby, 60);
}
await sleep(6000);
stopping = true;
await Promise.all(clients);
const loadEnd = Date.now();

// ---------------------------------------------------------------- the results
step(`load stopped at ${rel(loadEnd)} s: ${submissions} submissions started, ${acked.size} acknowledged, ${givenUp.length} given up`);
const statuses = {};
for (const e of log) statuses[e.status] = (statuses[e.status] || 0) + 1;
console.log('  answers: ' + JSON.stringify(statuses));
const hung = log.filter((e) => e.ms >= REQUEST_TIMEOUT_MS || e.status === 0);
console.log(`  requests without an answer (timeout ${REQUEST_TIMEOUT_MS} ms or connection error): ${hung.length}`);
const slowest = log.reduce((m, e) => Math.max(m, e.ms), 0);
console.log(`  slowest answer: ${slowest} ms`);

// Around each event (until the next one, or the end of the load), by the time each answer
// came: the failed answers, and the outage: the longest time without any successful answer
// (what a person submitting would feel, whether the server said 503 or made them wait).
for (let i = 0; i < events.length; i++) {
  const ev = events[i];
  const from = ev.t - 1000;
  const until = i + 1 < events.length ? events[i + 1].t : loadEnd;
  const done = (e) => e.t + e.ms;
  const during = log.filter((e) => done(e) >= from && done(e) < until).sort((a, b) => done(a) - done(b));
  const ok = (e) => typeof e.status === 'number' && e.status >= 200 && e.status < 300;
  const bad = during.filter((e) => !ok(e));
  const kinds = {};
  for (const e of bad) kinds[e.status] = (kinds[e.status] || 0) + 1;
  let gap = 0, gapFrom = from, last = from;
  for (const e of during.filter(ok)) {
    if (done(e) - last > gap) { gap = done(e) - last; gapFrom = last; }
    last = done(e);
  }
  const slow = during.reduce((m, e) => Math.max(m, e.ms), 0);
  console.log(`  ${ev.name} at ${rel(ev.t)} s: ${during.length} answers, ${bad.length} failed ${JSON.stringify(kinds)}` +
    (bad.length ? ` (from ${rel(done(bad[0]))} to ${rel(done(bad[bad.length - 1]))} s)` : '') +
    `; outage (longest time without a success) ${(gap / 1000).toFixed(2)} s from ${rel(gapFrom)} s; slowest answer ${slow} ms;` +
    ` Patroni reported a primary again after ${((ev.primaryAt - ev.t) / 1000).toFixed(1)} s`);
}
const n503 = log.filter((e) => e.status === 503).length;
const no503 = log.filter((e) => typeof e.status === 'number' && e.status >= 500 && e.status !== 503).length;
console.log(`  503 answers: ${n503}; other 5xx answers: ${no503}`);
for (const e of log.filter((x) => typeof x.status === 'string').slice(0, 5)) console.log('  ' + e.status);

step('every acknowledged submission is present, none is duplicated');
await waitFor('the cluster to answer', async () => (await call(LB, 'GET', '/readyz')).status === 200, 60);
// All of zhangsan's cases, through the list (pages of 100), then each read for its form.
const listed = [];
for (let page = 1; page <= 200; page++) {
  const r = await zhang(LB).get(`/api/v1/me/cases?page=${page}&per_page=100`);
  if (r.status !== 200) {
    check(false, `listing page ${page}: ${r.status}`);
    break;
  }
  const cases = r.body.cases || [];
  listed.push(...cases.map((c) => c.tracking_no));
  if (cases.length < 100) break;
}
const perKey = new Map();
let read = 0;
for (let i = 0; i < listed.length; i += 8) {
  const batch = await Promise.all(listed.slice(i, i + 8).map((no) => zhang(LB).get('/api/v1/cases/' + no)));
  for (const r of batch) {
    if (r.status !== 200) continue;
    read++;
    const m = /drill (\S+)$/.exec((r.body.form && r.body.form.address) || '');
    if (m) perKey.set(m[1], [...(perKey.get(m[1]) || []), r.body.tracking_no]);
  }
}
const lost = [...acked.entries()].filter(([k, no]) => !(perKey.get(k) || []).includes(no));
const doubled = [...perKey.entries()].filter(([, nos]) => nos.length > 1);
const unacked = [...perKey.keys()].filter((k) => !acked.has(k));
console.log(`  ${listed.length} cases listed, ${read} read; ${perKey.size} drill keys made cases`);
check(acked.size > 0, `acknowledged submissions: ${acked.size}`);
check(lost.length === 0, `acknowledged submissions missing: ${lost.length}` + (lost.length ? ' ' + JSON.stringify(lost.slice(0, 5)) : ''));
check(doubled.length === 0, `keys with more than one case: ${doubled.length}` + (doubled.length ? ' ' + JSON.stringify(doubled.slice(0, 5)) : ''));
for (const [k, nos] of doubled.slice(0, 5)) console.log(`    ${k}: cases ${nos.join(', ')}; its attempts answered ${(attempts.get(k) || []).join(', ')}`);
console.log(`  (cases made by submissions whose answer never came, not retried to the end: ${unacked.length})`);
check(hung.length === 0, `no request hung (all answered within ${REQUEST_TIMEOUT_MS} ms)`);
check(no503 === 0, `failures during the switch are 503 (other 5xx: ${no503})`);

console.log(`failover-drill: ${failed() ? failed() + ' check(s) FAILED' : 'all checks passed'} in ${rel(Date.now())} s`);
process.exit(failed() ? 1 : 0);
