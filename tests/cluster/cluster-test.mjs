// The cluster test (issue 18, "Must show"): three OneWindow nodes on one PostgreSQL
// cluster behave as one platform. Driven by the HTTP API, through nginx and directly per
// node (A, B, C = nodes 1, 2, 3):
//   1. every node is ready on PostgreSQL; nginx spreads requests over all of them;
//   2. a catalog change published on A is seen on B and C at once (their caches warmed
//      first, so a per-process cache would show the old answer);
//   3. a case submitted on A is accepted and decided on B and read on C;
//   4. a boundary timer (PT2S) fires exactly once although every node sweeps timers;
//   5. every metric the alerting rules (deploy/prometheus) name is exported by the nodes or
//      by Patroni, and the nodes' /metrics passes `promtool check metrics`.
// Run by tests/cluster/run.sh (make cluster-test), which starts and stops the cluster.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import {
  LB, NODES, FORM, ITEM, PDF, admin, call, check, failed, openTask, requiredMaterials, signIn, sleep, step,
} from './lib.mjs';

const t0 = Date.now();
if (NODES.length < 3) {
  console.error('cluster-test: needs three nodes, got ' + NODES.length);
  process.exit(2);
}
const [A, B, C] = NODES;

step('every node is ready on PostgreSQL');
for (const n of NODES) {
  const r = await call(n, 'GET', '/readyz');
  check(r.status === 200 && r.body.database === 'postgresql', `${n}/readyz: ${r.status} ${JSON.stringify(r.body)}`);
}

step('nginx sends requests to every node (round robin)');
{
  const count = async (n) => {
    const r = await call(n, 'GET', '/metrics');
    const m = String(r.body).match(/onewindow_http_requests_total\{route="\/healthz",method="GET",status="200"\} (\d+)/);
    return m ? Number(m[1]) : 0;
  };
  const before = await Promise.all(NODES.map(count));
  for (let i = 0; i < 3 * NODES.length; i++) await call(LB, 'GET', '/healthz');
  const after = await Promise.all(NODES.map(count));
  NODES.forEach((n, i) => check(after[i] > before[i], `${n} served some of the balanced /healthz (${after[i] - before[i]})`));
}

step('a catalog change published on A is seen on B and C at once');
{
  const code = 'CLUSTER-' + Date.now().toString(36).toUpperCase();
  const item = (name) => ({
    code,
    name,
    name_en: 'Cluster test item ' + code,
    type: 'administrative_licensing',
    served: ['legal_person'],
    department_code: '3301-SCJG',
    themes: ['开餐馆'],
    level: 'city',
    service_forms: ['online', 'counter'],
    jurisdiction: ['3301'],
    statutory_days: 20,
    promised_days: 10,
    online_depth: 3,
    visits: 1,
    guide: name + '的办事指南。',
  });
  const publish = async (kind, payload) => {
    const alice = admin(A, 'alice');
    const bob = admin(A, 'bob');
    const created = await alice.send('POST', '/api/v1/catalog/changes', { kind, summary: 'cluster test', payload });
    if (!check(created.status === 201, `change created on A: ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`)) return false;
    const id = created.body.id;
    const submitted = await alice.send('POST', `/api/v1/catalog/changes/${id}/submit`);
    check(submitted.status === 200, `change submitted on A: ${submitted.status}`);
    const approved = await bob.send('POST', `/api/v1/catalog/changes/${id}/approve`, { comment: 'ok' });
    return check(approved.status === 200 && approved.body.status === 'published', `change approved on A: ${approved.status}`);
  };
  // Warm every node's caches with the answers that are about to change.
  for (const n of [B, C]) {
    await call(n, 'GET', '/api/v1/catalog/items/' + code);
    await call(n, 'GET', '/api/v1/catalog/items?q=' + encodeURIComponent(code));
  }
  if (await publish('add', { item: item('集群测试事项甲') })) {
    for (const [name, n] of [['B', B], ['C', C]]) {
      const r = await call(n, 'GET', '/api/v1/catalog/items/' + code);
      check(r.status === 200 && r.body.item && r.body.item.name === '集群测试事项甲',
        `new item on ${name} right after publication on A: ${r.status}`);
    }
  }
  for (const n of [B, C]) await call(n, 'GET', '/api/v1/catalog/items/' + code);
  if (await publish('change', { item: item('集群测试事项乙'), base_version: 1 })) {
    for (const [name, n] of [['B', B], ['C', C]]) {
      const r = await call(n, 'GET', '/api/v1/catalog/items/' + code);
      check(r.status === 200 && r.body.item && r.body.item.name === '集群测试事项乙' && r.body.version === 2,
        `changed item (version 2) on ${name} right after publication on A: ${r.status} version ${r.body && r.body.version} name ${r.body && r.body.item && r.body.item.name}`);
    }
  }
}

// Submits a case for ITEM as `who` on node `base`; returns the case.
async function submit(who, base) {
  const materials = [];
  for (const name of await requiredMaterials(base, ITEM)) {
    const up = await who(base).send('POST', '/api/v1/materials?filename=a.pdf', PDF, { raw: true });
    if (up.status !== 201) throw new Error('upload on ' + base + ': ' + up.status + ' ' + JSON.stringify(up.body));
    materials.push({ id: up.body.id, name });
  }
  const r = await who(base).send('POST', '/api/v1/cases', { item_code: ITEM, region_code: '330102', form: FORM, materials });
  if (r.status !== 201) throw new Error('submission on ' + base + ': ' + r.status + ' ' + JSON.stringify(r.body));
  return r.body;
}

async function complete(who, base, task, decision, opinion) {
  return who(base).send('POST', `/api/v1/tasks/${task.id}/complete`, { version: task.version, decision, opinion });
}

const zhang = await signIn(A, 'zhangsan');
const acceptor = await signIn(B, 'sc.acceptor');
const approver = await signIn(B, 'sc.approver');

step('a case submitted on A is accepted and decided on B, and read on C');
{
  const c = await submit(zhang, A);
  check(/\S/.test(c.tracking_no || ''), `submitted on A: ${c.tracking_no}`);
  const onB = await acceptor(B).get('/api/v1/cases/' + c.tracking_no);
  check(onB.status === 200, `the acceptor reads it on B at once: ${onB.status}`);
  const inbox = await acceptor(B).get('/api/v1/workbench/tasks');
  check(inbox.status === 200 && JSON.stringify(inbox.body).includes(c.tracking_no), 'it is in the acceptor\'s inbox on B');
  const accept = openTask(onB.body, 'accept');
  const accepted = accept ? await complete(acceptor, B, accept, 'accept', '材料齐全，予以受理') : { status: 0 };
  check(accepted.status === 200, `accepted on B: ${accepted.status} ${JSON.stringify(accepted.body).slice(0, 200)}`);
  const approve = accepted.status === 200 && openTask(accepted.body, 'Approve');
  const decided = approve ? await complete(approver, B, approve, 'approve', '同意') : { status: 0 };
  check(decided.status === 200 && decided.body.status === 'approved', `approved on B: ${decided.status} ${decided.body && decided.body.status}`);
  const onC = await zhang(C).get('/api/v1/cases/' + c.tracking_no);
  check(onC.status === 200 && onC.body.status === 'approved', `the applicant reads the decision on C at once: ${onC.status} ${onC.body && onC.body.status}`);
  const mine = await zhang(C).get('/api/v1/me/cases');
  check(mine.status === 200 && JSON.stringify(mine.body).includes(c.tracking_no), 'and finds it in their list on C');
}

step('a boundary timer fires exactly once across the three nodes');
{
  // A review with a two-second interrupting timer escalating to the city (as in
  // tests/cases_test.cc), deployed on A and assigned to the item.
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:ow="urn:onewindow:bpmn"
  id="D" targetNamespace="urn:cluster-test">
  <bpmn:process id="cluster_timer" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Review" name="区级审查" camunda:candidateGroups="reviewer"
      ow:department="330102-SCJG" ow:region="330102">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Late" name="超时上报" attachedToRef="Review" cancelActivity="true">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="CityReview" name="市级督办审查" camunda:candidateGroups="reviewer"
      ow:department="3301-SCJG" ow:region="3301">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="Merge"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="End"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Late" targetRef="CityReview"/>
    <bpmn:sequenceFlow id="f4" sourceRef="CityReview" targetRef="Merge"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Merge" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>`;
  const sys = admin(A, 'alice');
  const put = await sys.send('PUT', '/api/v1/processes/cluster_timer', xml, { raw: true, headers: { 'Content-Type': 'application/xml' } });
  check(put.status === 201 || put.status === 200, `process deployed on A: ${put.status} ${JSON.stringify(put.body).slice(0, 200)}`);
  const assign = await sys.send('PUT', `/api/v1/catalog/items/${ITEM}/process`, { process_key: 'cluster_timer' });
  check(assign.status === 200, `process assigned to ${ITEM}: ${assign.status} ${JSON.stringify(assign.body).slice(0, 200)}`);
  // The stated staleness of an assignment: new applications get it within two seconds
  // (src/cases/intake.cc, the item target cache).
  await sleep(2500);

  // Three cases, so that the nodes' sweeps have several due timers to race for.
  const nos = [];
  for (let i = 0; i < 3; i++) {
    const c = await submit(zhang, A);
    const onB = await acceptor(B).get('/api/v1/cases/' + c.tracking_no);
    const task = openTask(onB.body, 'accept');
    const r = task ? await complete(acceptor, B, task, 'accept', '材料齐全，予以受理') : { status: 0 };
    check(r.status === 200 && openTask(r.body, 'Review'), `case ${c.tracking_no} accepted on B, under review with a timer`);
    nos.push(c.tracking_no);
  }
  const fired = (c) => (c.events || []).filter((e) => e.action === 'timer_fired').length;
  // Each node sweeps due timers every 15 s: wait for all three to fire (45 s at most).
  const deadline = Date.now() + 45000;
  let cases = [];
  while (Date.now() < deadline) {
    cases = await Promise.all(nos.map((no) => zhang(C).get('/api/v1/cases/' + no)));
    if (cases.every((r) => r.status === 200 && fired(r.body) >= 1)) break;
    await sleep(500);
  }
  const firedAt = Date.now();
  check(cases.every((r) => r.status === 200 && fired(r.body) >= 1), `the three timers fired within 45 s (${((firedAt - deadline + 45000) / 1000).toFixed(1)} s)`);
  // Then one more full sweep period of every node: none may fire a timer again.
  await sleep(16000);
  cases = await Promise.all(nos.map((no) => zhang(C).get('/api/v1/cases/' + no)));
  for (const r of cases) {
    const c = r.body || {};
    const open = (c.tasks || []).filter((t) => t.node === 'CityReview' && t.status === 'open').length;
    check(fired(c) === 1 && open === 1, `${c.tracking_no}: timer fired ${fired(c)} time(s), ${open} open CityReview task(s)`);
  }
}

step('the alerting rules name only metrics the cluster exports');
{
  const rules = fs.readFileSync(new URL('../../deploy/prometheus/onewindow-rules.yml', import.meta.url), 'utf8');
  const named = new Set([...rules.matchAll(/\b((?:onewindow|patroni)_[a-z0-9_]+)/g)].map((m) => m[1]));
  const exported = new Set();
  const texts = [];
  for (const base of [...NODES, ...(process.env.OW_CLUSTER_PATRONI || '').split(/\s+/).filter(Boolean)]) {
    const r = await call(base, 'GET', '/metrics');
    texts.push({ base, text: String(r.body) });
    for (const m of String(r.body).matchAll(/^([a-z_:][a-z0-9_:]*)(?:\{| )/gm)) exported.add(m[1].replace(/_(bucket|sum|count)$/, ''));
  }
  const missing = [...named].filter((n) => !exported.has(n) && !exported.has(n.replace(/_(bucket|sum|count)$/, '')));
  check(named.size > 5 && missing.length === 0, `${named.size} metrics named by the rules, all exported` + (missing.length ? '; missing: ' + missing.join(', ') : ''));
  for (const { base, text } of texts.filter((t) => NODES.includes(t.base))) {
    let out = '';
    let ok = true;
    try {
      out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20000 });
    } catch (e) {
      ok = false;
      out = String(e.stdout || '') + String(e.stderr || e.message);
    }
    check(ok, `promtool check metrics on ${base}/metrics` + (ok ? '' : ': ' + out.slice(0, 300)));
  }
}

console.log(`cluster-test: ${failed() ? failed() + ' check(s) FAILED' : 'all checks passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed() ? 1 : 0);
