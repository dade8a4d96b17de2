// The reference side of bench/workflow.sh: npm bpmn-engine runs instances of a BPMN file
// to completion, in memory, one after another, and reports microseconds per instance.
//
//   node bpmn_engine_bench.mjs FILE [MAX_INSTANCES] [SECONDS] [WARMUP]
//
// Every user task the engine waits in is completed through its API (signal), after the
// instance has reached its wait states: the same steps ow_workflow_bench takes (start,
// complete the first task, complete the second, completed). An instance counts only when the
// engine emitted "end" having waited in exactly the expected number of user tasks
// (EXPECTED_WAITS, default 2), otherwise the run fails.
//
// Two modes, both printed as one JSON line each:
//   preparsed: the XML is parsed and serialized once (bpmn-moddle + moddle-context-serializer,
//              as bpmn-engine does internally) and every instance gets a new Engine over that
//              context: the execution cost alone, comparable to ours with a parsed Definition;
//   parse:     every instance is a new Engine({ source }) that parses the XML again.
// Loops are bounded by MAX_INSTANCES (default 20000) and SECONDS (default 5) per mode.
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import BpmnModdle from 'bpmn-moddle';
import { Serializer, TypeResolver } from 'moddle-context-serializer';

const [file, maxArg, secondsArg, warmupArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bpmn_engine_bench.mjs FILE [MAX_INSTANCES] [SECONDS] [WARMUP]');
  process.exit(2);
}
const maxInstances = Number(maxArg ?? 20000);
const seconds = Number(secondsArg ?? 5);
const warmup = Number(warmupArg ?? 500);
const expectedWaits = Number(process.env.EXPECTED_WAITS ?? 2);
const version = JSON.parse(
  readFileSync(new URL('./node_modules/bpmn-engine/package.json', import.meta.url), 'utf8')
).version;

const source = readFileSync(file, 'utf8');
const moddleContext = await new BpmnModdle().fromXML(source);
const sourceContext = Serializer(moddleContext, TypeResolver(Elements));

async function runOne(mode) {
  const engine = mode === 'parse' ? new Engine({ source }) : new Engine({ sourceContext });
  const listener = new EventEmitter();
  const waiting = [];
  listener.on('activity.wait', (api) => waiting.push(api));
  const ended = engine.waitFor('end');
  await engine.execute({ listener, variables: { applicant: 'Li' } });
  const signalled = waiting.length;
  // Complete the tasks one by one, in the order they were created.
  for (const api of waiting.splice(0)) api.signal({ approved: true });
  await ended;
  if (signalled !== expectedWaits) {
    throw new Error(`instance waited in ${signalled} user tasks, expected ${expectedWaits}`);
  }
}

async function measure(mode) {
  for (let i = 0; i < warmup; i++) await runOne(mode);
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (n < maxInstances) {
    await runOne(mode);
    n++;
    if ((n & 63) === 0 && process.hrtime.bigint() > deadline) break;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { engine: `bpmn-engine ${version}`, node: process.version, mode, instances: n,
           seconds: ns / 1e9, us_per_instance: ns / 1e3 / n };
}

for (const mode of ['preparsed', 'parse']) console.log(JSON.stringify(await measure(mode)));
