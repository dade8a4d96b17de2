// Reads BPMN files with bpmn-moddle, the model behind bpmn.io and Camunda Modeler, and fails
// when one would not open cleanly there: a parse error, any import warning (unknown BPMN
// element or attribute, unresolved reference), or, for a file that carries a diagram
// (bpmndi), a flow element the diagram does not draw. First it checks that it can tell:
// a copy of the first file with one dangling reference must be refused.
//
//   node check-bpmn.mjs FILE.bpmn...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import BpmnModdle from 'bpmn-moddle';

async function problems(xml) {
  const out = [];
  let definitions;
  try {
    const result = await new BpmnModdle().fromXML(xml);
    definitions = result.rootElement;
    for (const w of result.warnings) out.push(`warning: ${w.message}`);
  } catch (err) {
    return [`error: ${err.message}`];
  }
  for (const diagram of definitions.diagrams ?? []) {
    const drawn = new Set((diagram.plane.planeElement ?? []).map((e) => e.bpmnElement?.id));
    for (const root of definitions.rootElements ?? []) {
      if (root.$type !== 'bpmn:Process') continue;
      for (const el of root.flowElements ?? []) {
        if (!drawn.has(el.id)) out.push(`the diagram does not draw ${el.$type} ${el.id}`);
      }
    }
  }
  return out;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check-bpmn.mjs FILE.bpmn...');
  process.exit(2);
}
const tampered = readFileSync(files[0], 'utf8').replace(/targetRef="([^"]+)"/, 'targetRef="$1_missing"');
if ((await problems(tampered)).length === 0) {
  console.error('check-bpmn: a dangling targetRef went unnoticed; the checker cannot tell');
  process.exit(1);
}
let failed = false;
for (const file of files) {
  const found = await problems(readFileSync(file, 'utf8'));
  if (found.length) failed = true;
  console.log(`${basename(file)}: ${found.length ? found.join('; ') : 'ok'}`);
}
process.exit(failed ? 1 : 0);
