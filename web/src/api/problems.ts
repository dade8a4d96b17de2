// What a problem (client.ts) means to the person who meets it: the sentence ProblemAlert
// shows, in their language, saying what happened and what to do. Status codes, the server's
// English detail, field keys and the request id stay in ProblemAlert's details for support.
//
// One table, read top to bottom; the first rule that matches chooses the sentence, the key of
// a message under `problem.` in locales/*.ts. scripts/check-problems.mjs reads this file
// with a table of problems and the keys they must get (run by `npm run build`).
import type { Problem } from './client';
import type { paths } from './schema';

export type ProblemKey =
  | 'network'
  | 'login'
  | 'loginThrottled'
  | 'sessionExpired'
  | 'forbidden'
  | 'notFound'
  | 'alreadyExists'
  | 'conflict'
  | 'failedPrecondition'
  | 'fileTooLarge'
  | 'tooLarge'
  | 'fileType'
  | 'unsupportedType'
  | 'headersTooLarge'
  | 'invalid'
  | 'badRequest'
  | 'tooMany'
  | 'unavailable'
  | 'internal'
  | 'other';

interface Rule {
  key: ProblemKey;
  status?: number | [number, number]; // one status, or an inclusive range
  kind?: string; // the type's last part: urn:onewindow:problem:<kind>
  method?: string;
  instance?: string; // the request's path
  signIn?: true; // the sentence comes with a link to sign in again
  retry?: true; // the sentence has a {retry} part: "try again in N minutes" or "later"
}

const LOGIN: keyof paths = '/api/v1/session';
const UPLOAD: keyof paths = '/api/v1/materials';

export const RULES: readonly Rule[] = [
  { status: 0, key: 'network' },
  // The server answers every failed login alike (no "no such user"): a wrong password.
  { status: 401, method: 'POST', instance: LOGIN, key: 'login' },
  { status: 401, key: 'sessionExpired', signIn: true },
  { status: 429, method: 'POST', instance: LOGIN, key: 'loginThrottled', retry: true },
  { status: 429, key: 'tooMany', retry: true },
  { status: 403, key: 'forbidden' },
  { status: 404, key: 'notFound' },
  // 409 is also what a step in the wrong state answers (failed_precondition) or a duplicate.
  { kind: 'already_exists', key: 'alreadyExists' },
  { kind: 'failed_precondition', key: 'failedPrecondition' },
  { status: 409, key: 'conflict' },
  { status: 412, key: 'conflict' }, // If-Match: changed since it was read
  { status: 413, instance: UPLOAD, key: 'fileTooLarge' },
  { status: 413, key: 'tooLarge' },
  { status: 415, instance: UPLOAD, key: 'fileType' },
  { status: 415, key: 'unsupportedType' },
  { status: 431, key: 'headersTooLarge' },
  { status: 422, key: 'invalid' },
  { status: 400, kind: 'invalid_argument', key: 'badRequest' },
  { status: 500, key: 'internal' },
  { status: [502, 504], key: 'unavailable', retry: true },
  { status: [500, 599], key: 'internal' },
  { key: 'other' },
];

const PREFIX = 'urn:onewindow:problem:';

function matches(r: Rule, p: Problem): boolean {
  if (r.status !== undefined) {
    const [lo, hi] = typeof r.status === 'number' ? [r.status, r.status] : r.status;
    if (p.status < lo || p.status > hi) return false;
  }
  if (r.kind !== undefined && p.type !== PREFIX + r.kind) return false;
  if (r.method !== undefined && (p.method ?? 'GET').toUpperCase() !== r.method) return false;
  if (r.instance !== undefined && p.instance !== r.instance) return false;
  return true;
}

export interface Reading {
  key: ProblemKey;
  signIn: boolean;
  // Set for sentences with a {retry} part: the wait in seconds when the answer said
  // (Retry-After), else null ("try again later").
  retryAfter?: number | null;
}

export function readProblem(p: Problem): Reading {
  const r = RULES.find((x) => matches(x, p))!;
  const out: Reading = { key: r.key, signIn: !!r.signIn };
  if (r.retry) out.retryAfter = p.retryAfter ?? null;
  return out;
}

// A wait for people: whole seconds under a minute and a half, then minutes, then hours,
// rounded up (Retry-After: 900 is "15 minutes").
export function waitOf(seconds: number): { unit: 'seconds' | 'minutes' | 'hours'; n: number } {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 90) return { unit: 'seconds', n: s };
  if (s < 90 * 60) return { unit: 'minutes', n: Math.ceil(s / 60) };
  return { unit: 'hours', n: Math.ceil(s / 3600) };
}
