// What a form field expects, said to people: the message beside a field that is not filled in
// as its JSON Schema (catalog.ts) asks, and the same message for a 422's field error. The
// server's English message only says which constraint failed; the sentence comes from the
// schema, in the reader's language. Known patterns (mainland mobile number, resident ID
// number, unified social credit code, postcode, year and month) have their own sentences,
// recognized by what they accept, not by how they are spelled; other constraints get one built
// from the schema (digits and letters with a length, bounds, lengths, options).
import { i18n } from './i18n';
import type { JsonSchema } from './catalog';

// One entry of an error summary (ErrorSummary.vue): the field as the page labels it, what to do,
// and the id of the control its link focuses ('' when there is none).
export interface FieldProblem {
  id: string;
  label: string;
  message: string;
}

// The constraint a value breaks, as the client checks it or as the server's message names it.
export type Broken =
  | 'required'
  | 'pattern'
  | 'format'
  | 'minLength'
  | 'maxLength'
  | 'enum'
  | 'type'
  | 'minimum'
  | 'maximum'
  | 'minItems'
  | 'maxItems'
  | 'other';

function empty(v: unknown) {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function regex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return null;
  }
}

const length = (v: string) => [...v].length;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

// The first constraint of `s` that a present value breaks ('' when none). `required` says
// whether the field must be filled in.
export function broken(s: JsonSchema, v: unknown, required: boolean): Broken | '' {
  if (empty(v)) return required ? 'required' : '';
  if (typeof v === 'string') {
    if (s.type && s.type !== 'string') return 'type';
    return brokenString(s, v);
  }
  if (typeof v === 'number') {
    if (s.type !== 'number' && s.type !== 'integer') return 'type';
    if (s.type === 'integer' && !Number.isInteger(v)) return 'type';
    if (s.minimum !== undefined && v < s.minimum) return 'minimum';
    if (s.maximum !== undefined && v > s.maximum) return 'maximum';
    return '';
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) return 'minItems';
    if (s.maxItems !== undefined && v.length > s.maxItems) return 'maxItems';
    // An entry breaking its schema: the field's message says what each entry must be.
    if (s.items && v.some((x) => typeof x === 'string' && brokenString(s.items!, x))) return 'enum';
    return '';
  }
  return '';
}

function brokenString(s: JsonSchema, v: string): Broken | '' {
  if (s.enum && !s.enum.includes(v)) return 'enum';
  if (s.minLength !== undefined && length(v) < s.minLength) return 'minLength';
  if (s.maxLength !== undefined && length(v) > s.maxLength) return 'maxLength';
  if (s.format === 'date' && !DATE.test(v)) return 'format';
  if (s.format === 'email' && !EMAIL.test(v)) return 'format';
  if (s.pattern && regex(s.pattern) && !regex(s.pattern)!.test(v)) return 'pattern';
  return '';
}

// The constraint a server's field message names (catalog/form_validate.cc words them).
export function brokenOf(message: string): Broken {
  const m = message.trim();
  if (/^is required\b/.test(m)) return 'required';
  if (/^does not match the pattern\b/.test(m)) return 'pattern';
  if (/^must be at least \d+ characters long$/.test(m)) return 'minLength';
  if (/^must be at most \d+ characters long$/.test(m)) return 'maxLength';
  if (/^must be one of\b/.test(m)) return 'enum';
  if (/^must be (a date|an e-mail address)\b/.test(m)) return 'format';
  if (/^must be (at least|greater than) /.test(m)) return 'minimum';
  if (/^must be (at most|less than) /.test(m)) return 'maximum';
  if (/^must have at least \d+ entries$/.test(m)) return 'minItems';
  if (/^must have at most \d+ entries$/.test(m)) return 'maxItems';
  if (/^must be an? (string|number|integer|boolean|array|object|null)\b/.test(m)) return 'type';
  return 'other';
}

// A pattern whose accepted values we can name: tried on samples, so that "^1[3-9]\d{9}$" and
// "^1[3-9][0-9]{9}$" are both a mobile number.
type Known = 'mobile' | 'residentId' | 'creditCode' | 'postcode' | 'yearMonth' | 'date';

function known(pattern: string, key: string, title: string): Known | null {
  const re = regex(pattern);
  if (!re) return null;
  const all = (xs: string[]) => xs.every((x) => re.test(x));
  const none = (xs: string[]) => xs.every((x) => !re.test(x));
  if (all(['13800000001', '19912345678']) && none(['1380000000', '138000000012', '23800000001', '1380000000a'])) return 'mobile';
  if (all(['330102199003073017', '11010519491231002X']) && none(['33010219900307301', '3301021990030730171', '91330102MA2H2X1234'])) return 'residentId';
  if (all(['91330102MA2H2X1234', '12100000470095016Q']) && none(['91330102MA2H2X123', '91330102MA2H2X12345', '91330102MA2H2X123I'])) return 'creditCode';
  if (all(['2026-03', '1999-12']) && none(['2026-3', '202603', '2026-13', '2026-03-01'])) return 'yearMonth';
  if (all(['2026-03-01', '1999-12-31']) && none(['2026-3-1', '20260301', '2026-13-01'])) return 'date';
  // Six digits are a postcode only where the field says so (a county's code is six digits too).
  if (all(['310000', '100101']) && none(['31000', '3100000', '31000a']) && /邮编|邮政编码|post|zip/i.test(key + ' ' + title)) return 'postcode';
  return null;
}

// "^[0-9]{6}$", "^\d{4,8}$", "^[A-Za-z0-9]+$": one class of digits and/or letters, repeated.
function simple(pattern: string): { chars: string; min: number; max: number } | null {
  const m = /^\^(\\d|\[([^\]]+)\])(\+|\*|\{(\d+)(,(\d*))?\})?\$$/.exec(pattern);
  if (!m) return null;
  let digits = false;
  let upper = false;
  let lower = false;
  if (m[1] === '\\d') digits = true;
  else {
    let rest = m[2];
    for (const [part, flag] of [
      ['0-9', 'd'],
      ['\\d', 'd'],
      ['A-Z', 'u'],
      ['a-z', 'l'],
    ] as const) {
      if (rest.includes(part)) {
        rest = rest.replace(part, '');
        if (flag === 'd') digits = true;
        if (flag === 'u') upper = true;
        if (flag === 'l') lower = true;
      }
    }
    if (rest) return null; // anything narrower (such as "A-HJ-N") is not said plainly here
  }
  const chars = digits ? (upper || lower ? (upper && !lower ? 'digitsUpper' : 'digitsLetters') : 'digits') : upper && !lower ? 'upper' : 'letters';
  if (!m[3] || m[3] === '+' || m[3] === '*') return { chars, min: 0, max: 0 };
  const min = Number(m[4]);
  const max = m[5] ? (m[6] ? Number(m[6]) : 0) : min;
  return { chars, min, max };
}

// What the field expects, for a value that breaks `what` (the message shown at the field and in
// the summary). `key` and `title` name the field (a postcode is known by its name).
export function expected(s: JsonSchema | undefined, what: Broken, key = ''): string {
  const { t } = i18n.global;
  if (!s) return what === 'required' ? t('form.need.text') : t('form.expect.other');
  switch (what) {
    case 'required':
      if (s.enum) return t('form.need.choice');
      if (s.format === 'date') return t('form.need.date');
      if (s.type === 'number' || s.type === 'integer') return t('form.need.number');
      if (s.type === 'array') return t('form.need.list');
      return t('form.need.text');
    case 'pattern': {
      const k = s.pattern ? known(s.pattern, key, s.title ?? '') : null;
      if (k) return t('form.known.' + k);
      const p = s.pattern ? simple(s.pattern) : null;
      if (p) {
        const chars = t('form.chars.' + p.chars);
        if (!p.min && !p.max) return t('form.expect.only', { chars });
        if (p.min === p.max) return t('form.expect.exactly', { n: p.min, chars });
        if (!p.max) return t('form.expect.atLeastOf', { n: p.min, chars });
        return t('form.expect.between', { min: p.min, max: p.max, chars });
      }
      if (s.description) return t('form.expect.described', { hint: s.description });
      return t('form.expect.pattern');
    }
    case 'format':
      if (s.format === 'date') return t('form.known.date');
      if (s.format === 'email') return t('form.expect.email');
      return t('form.expect.pattern');
    case 'minLength':
    case 'maxLength':
      if (s.minLength !== undefined && s.maxLength !== undefined)
        return s.minLength === s.maxLength ? t('form.expect.length', { n: s.minLength }) : t('form.expect.lengthBetween', { min: s.minLength, max: s.maxLength });
      if (s.maxLength !== undefined) return t('form.expect.maxLength', { n: s.maxLength });
      if (s.minLength !== undefined) return t('form.expect.minLength', { n: s.minLength });
      return t('form.expect.other');
    case 'minimum':
    case 'maximum':
    case 'type':
      return number(s);
    case 'enum':
      if (s.type === 'array') {
        const options = s.items?.enum;
        return options ? t('form.expect.entriesOf', { options: options.map(String).join(t('form.listSeparator')) }) : t('form.expect.entries');
      }
      return t('form.expect.choice');
    case 'minItems':
      return t('form.expect.minItems', { n: s.minItems ?? 1 });
    case 'maxItems':
      return t('form.expect.maxItems', { n: s.maxItems ?? 1 });
    default:
      return t('form.expect.other');
  }
}

function number(s: JsonSchema): string {
  const { t } = i18n.global;
  if (s.type !== 'number' && s.type !== 'integer') return s.type === 'string' ? t('form.need.text') : t('form.expect.other');
  const kind = s.type === 'integer' ? 'whole' : 'number';
  if (s.minimum !== undefined && s.maximum !== undefined) return t(`form.range.${kind}Between`, { min: s.minimum, max: s.maximum });
  if (s.minimum !== undefined) return t(`form.range.${kind}AtLeast`, { n: s.minimum });
  if (s.maximum !== undefined) return t(`form.range.${kind}AtMost`, { n: s.maximum });
  return t(`form.range.${kind}`);
}
