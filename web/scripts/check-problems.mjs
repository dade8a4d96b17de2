// Checks src/api/problems.ts, the choice of the sentence ProblemAlert shows for a problem:
// each problem of the table below (as the server or the portal makes it) must get its
// message, and every message a rule names must exist in the locales.
// Run by `npm run build` (after check-i18n, which checks that zh-CN and en have the same keys).
import fs from 'node:fs';
import path from 'node:path';
import { transform } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src');
async function load(file) {
  const { code } = await transform(fs.readFileSync(path.join(root, file), 'utf8'), { loader: 'ts', format: 'esm' });
  return import('data:text/javascript,' + encodeURIComponent(code));
}
const { RULES, readProblem, waitOf } = await load('api/problems.ts');
const zh = (await load('locales/zh-CN.ts')).default;

const urn = (kind) => 'urn:onewindow:problem:' + kind;
// [problem, key, what else the reading must say]
const CASES = [
  [{ status: 0, title: 'Network error', method: 'GET', instance: '/api/v1/cases' }, 'network'],
  [{ status: 401, type: urn('unauthenticated'), title: 'Unauthorized', method: 'POST', instance: '/api/v1/session' }, 'login', { signIn: false }],
  [{ status: 401, type: urn('unauthenticated'), title: 'Unauthorized', method: 'GET', instance: '/api/v1/cases/330102-1' }, 'sessionExpired', { signIn: true }],
  [{ status: 401, type: urn('unauthenticated'), title: 'Unauthorized', method: 'DELETE', instance: '/api/v1/session' }, 'sessionExpired', { signIn: true }],
  [{ status: 429, type: urn('resource_exhausted'), title: 'Too Many Requests', method: 'POST', instance: '/api/v1/session', retryAfter: 900 }, 'loginThrottled', { retryAfter: 900 }],
  [{ status: 429, type: urn('resource_exhausted'), title: 'Too Many Requests', method: 'POST', instance: '/api/v1/case-lookups' }, 'tooMany', { retryAfter: null }],
  [{ status: 403, type: urn('permission_denied'), title: 'Forbidden', method: 'POST', instance: '/api/v1/staff' }, 'forbidden'],
  [{ status: 404, type: urn('not_found'), title: 'Not Found', method: 'GET', instance: '/api/v1/regions/330199' }, 'notFound'],
  [{ status: 409, type: urn('already_exists'), title: 'Conflict', method: 'POST', instance: '/api/v1/departments' }, 'alreadyExists'],
  [{ status: 409, type: urn('failed_precondition'), title: 'Conflict', method: 'POST', instance: '/api/v1/staff/acc_1/disable' }, 'failedPrecondition'],
  [{ status: 409, type: urn('conflict'), title: 'Conflict', method: 'POST', instance: '/api/v1/tasks/7/complete' }, 'conflict'],
  [{ status: 412, type: urn('precondition_failed'), title: 'Precondition Failed', method: 'POST', instance: '/api/v1/licences/X/suspend' }, 'conflict'],
  [{ status: 413, type: urn('payload_too_large'), title: 'Payload Too Large', method: 'POST', instance: '/api/v1/materials' }, 'fileTooLarge'],
  [{ status: 413, type: urn('content_too_large'), title: 'Content Too Large', method: 'PUT', instance: '/api/v1/processes/p' }, 'tooLarge'],
  [{ status: 415, type: urn('unsupported_media_type'), title: 'Unsupported Media Type', method: 'POST', instance: '/api/v1/materials' }, 'fileType'],
  [{ status: 415, type: urn('unsupported_media_type'), title: 'Unsupported Media Type', method: 'POST', instance: '/api/v1/session' }, 'unsupportedType'],
  [{ status: 431, type: urn('request_header_fields_too_large'), title: 'Request Header Fields Too Large' }, 'headersTooLarge'],
  [{ status: 422, type: urn('invalid_argument'), title: 'Unprocessable Entity', method: 'POST', instance: '/api/v1/session', errors: [{ field: 'username', message: 'and password are required' }] }, 'invalid'],
  [{ status: 400, type: urn('invalid_argument'), title: 'Bad Request', method: 'POST', instance: '/api/v1/cases' }, 'badRequest'],
  [{ status: 400, type: urn('bad_request'), title: 'Bad Request', method: 'GET', instance: '/api/v1/x' }, 'other'],
  [{ status: 405, type: urn('method_not_allowed'), title: 'Method Not Allowed', method: 'PUT', instance: '/api/v1/session' }, 'other'],
  [{ status: 500, type: urn('internal'), title: 'Internal Server Error', method: 'GET', instance: '/api/v1/cases' }, 'internal'],
  [{ status: 503, type: urn('unavailable'), title: 'Service Unavailable', method: 'POST', instance: '/api/v1/identity-verifications', retryAfter: 1 }, 'unavailable', { retryAfter: 1 }],
  // Not problem+json (a proxy's HTML page): no type.
  [{ status: 502, title: 'Bad Gateway', detail: '<html>', method: 'GET', instance: '/api/v1/cases' }, 'unavailable', { retryAfter: null }],
  [{ status: 507, title: 'Insufficient Storage', method: 'POST', instance: '/api/v1/materials' }, 'internal'],
  [{ status: 418, title: "I'm a teapot", method: 'GET', instance: '/api/v1/tea' }, 'other'],
];
const WAITS = [
  [1, 'seconds', 1],
  [0.2, 'seconds', 1],
  [60, 'seconds', 60],
  [89, 'seconds', 89],
  [90, 'minutes', 2],
  [900, 'minutes', 15],
  [5399, 'minutes', 90],
  [5400, 'hours', 2],
  [86400, 'hours', 24],
];

const failures = [];
for (const [p, key, extra = {}] of CASES) {
  const r = readProblem(p);
  if (r.key !== key) failures.push(`${p.status} ${p.method ?? ''} ${p.instance ?? ''} (${p.type ?? 'no type'}): ${r.key}, expected ${key}`);
  for (const [k, v] of Object.entries(extra)) {
    if (r[k] !== v) failures.push(`${p.status} ${p.instance ?? ''}: ${k} is ${r[k]}, expected ${v}`);
  }
}
for (const [s, unit, n] of WAITS) {
  const w = waitOf(s);
  if (w.unit !== unit || w.n !== n) failures.push(`waitOf(${s}) is ${w.n} ${w.unit}, expected ${n} ${unit}`);
}
const covered = new Set(CASES.map(([, key]) => key));
for (const r of RULES) {
  if (!zh.problem?.[r.key]) failures.push(`locales lack problem.${r.key}`);
  if (!covered.has(r.key)) failures.push(`no case reads as ${r.key}`);
  if (r.retry && !zh.problem[r.key]?.includes('{retry}')) failures.push(`problem.${r.key} has no {retry}`);
}
if (failures.length) {
  console.error('problems check failed:\n  ' + failures.join('\n  '));
  process.exit(1);
}
console.log(`problems: ${CASES.length} problems read as expected by ${RULES.length} rules`);
