// Fails when the zh-CN and en messages differ in their keys, when a locale file puts more
// than one key on a line (each key stands at the start of its own line, so a diff shows the
// message it changes), or when a literal key used in the sources (t('a.b'), and every key
// under a prefix used as t('prefix.' + x)) is missing.
// Run by `npm run build` before vite (production builds do not warn about missing keys).
import fs from 'node:fs';
import path from 'node:path';
import { transform } from 'esbuild';
import ts from 'typescript';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src');
async function load(file) {
  const { code } = await transform(fs.readFileSync(path.join(root, 'locales', file), 'utf8'), { loader: 'ts', format: 'esm' });
  return (await import('data:text/javascript,' + encodeURIComponent(code))).default;
}
function flatten(o, prefix = '', out = new Set()) {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.add(key);
  }
  return out;
}
// "file:line: key" for every key of an object literal that does not begin its line.
function keysNotAlone(file) {
  const text = fs.readFileSync(path.join(root, 'locales', file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out = [];
  const visit = (node) => {
    if (ts.isPropertyAssignment(node)) {
      const start = node.getStart(source);
      const { line, character } = source.getLineAndCharacterOfPosition(start);
      const before = text.slice(start - character, start);
      if (before.trim() !== '') out.push(`locales/${file}:${line + 1}: ${node.name.getText(source)} shares its line`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const zh = flatten(await load('zh-CN.ts'));
const en = flatten(await load('en.ts'));
const problems = [...keysNotAlone('zh-CN.ts'), ...keysNotAlone('en.ts')];
for (const k of zh) if (!en.has(k)) problems.push(`en lacks ${k}`);
for (const k of en) if (!zh.has(k)) problems.push(`zh-CN lacks ${k}`);

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (/\.(vue|ts)$/.test(e.name) && !p.includes(`${path.sep}locales${path.sep}`)) yield p;
  }
}
for (const f of files(root)) {
  const text = fs.readFileSync(f, 'utf8');
  for (const m of text.matchAll(/\bt\('([A-Za-z0-9_.]+)'\s*([,)+])/g)) {
    const [, key, next] = m;
    if (next === '+') {
      if (![...zh].some((k) => k.startsWith(key))) problems.push(`${path.relative(root, f)}: no key under ${key}`);
    } else if (!zh.has(key)) {
      problems.push(`${path.relative(root, f)}: missing ${key}`);
    }
  }
}
if (problems.length) {
  console.error('i18n check failed:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log(`i18n: ${zh.size} keys in zh-CN and en, one a line`);
