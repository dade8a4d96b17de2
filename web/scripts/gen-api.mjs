// Generates the portal's API types, src/api/schema.d.ts, from the server's OpenAPI document
// (../docs/openapi.json) with openapi-typescript: `npm run gen:api`.
// With --check (run by `npm run build` and scripts/build-web.sh), regenerates them to a
// temporary file and fails when they differ from the checked-in file: the document changed
// and the portal has not followed (run `npm run gen:api`, then fix what vue-tsc reports).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const web = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const doc = path.join(web, '..', 'docs', 'openapi.json');
const target = path.join(web, 'src', 'api', 'schema.d.ts');
const cli = path.join(web, 'node_modules', '.bin', 'openapi-typescript');
// Objects without properties (a case's form, an event's detail) as Record<string, unknown>.
const options = ['--empty-objects-unknown'];

function generate(out) {
  execFileSync(cli, [doc, ...options, '--output', out], { stdio: ['ignore', 'ignore', 'inherit'] });
}

if (!process.argv.includes('--check')) {
  generate(target);
  console.log(`api: wrote ${path.relative(web, target)}`);
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-api-'));
  try {
    const fresh = path.join(dir, 'schema.d.ts');
    generate(fresh);
    if (!fs.existsSync(target) || fs.readFileSync(fresh, 'utf8') !== fs.readFileSync(target, 'utf8')) {
      console.error(
        `api check failed: ${path.relative(web, target)} is not what docs/openapi.json generates.\n` +
          '  Run `npm run gen:api` in web/ and fix what `vue-tsc --noEmit` then reports.',
      );
      process.exit(1);
    }
    console.log(`api: ${path.relative(web, target)} matches docs/openapi.json`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
