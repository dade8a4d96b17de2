// What a catalog change would change in an item, member by member, against the version now
// published. Computed here because a pending change is no version yet: the server's
// GET /api/v1/catalog/items/{code}/diff compares published versions only. Lists of records
// (materials, fees, halls, steps, legal basis) are matched entry by entry by their name, so
// a material inserted first shows as one added material, not as every material changed;
// lists of text are compared by value.

export type DiffOp = 'added' | 'removed' | 'changed';

export interface DiffRow {
  // The item's member ("materials"), or "status" for the item's status.
  field: string;
  // The entry of a list of records the row is about (a material's name), if any.
  entry?: string;
  // The entry's member ("copies") when one member of a kept entry changed.
  sub?: string;
  op: DiffOp;
  from?: unknown;
  to?: unknown;
  // Only the order of the list's entries changed.
  order?: boolean;
}

type Doc = Record<string, unknown>;
type Rec = Record<string, unknown>;

// The name that identifies an entry of each list of records.
const ENTRY_KEY: Record<string, (x: Rec) => string> = {
  materials: (x) => String(x.name ?? ''),
  fees: (x) => String(x.name ?? ''),
  halls: (x) => String(x.name ?? ''),
  steps: (x) => String(x.name ?? ''),
  legal_basis: (x) => [x.title, x.article].filter(Boolean).join(' '),
};

export const isRecordList = (field: string) => field in ENTRY_KEY;

// JSON with object keys sorted, so that equal values compare equal whatever their key order.
function canon(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon((v as Rec)[k])).join(',') + '}';
  }
  return JSON.stringify(v ?? null);
}
export const same = (a: unknown, b: unknown) => canon(a) === canon(b);

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length) || (typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.keys(v).length);

// Entries keyed by name; a repeated name gets " (2)", " (3)" so that every entry has a key.
function keyed(list: Rec[], key: (x: Rec) => string): Map<string, Rec> {
  const out = new Map<string, Rec>();
  for (const x of list) {
    const base = key(x);
    let k = base;
    for (let n = 2; out.has(k); ++n) k = `${base} (${n})`;
    out.set(k, x);
  }
  return out;
}

function recordRows(field: string, before: Rec[], after: Rec[]): DiffRow[] {
  const a = keyed(before, ENTRY_KEY[field]);
  const b = keyed(after, ENTRY_KEY[field]);
  const rows: DiffRow[] = [];
  for (const [k, x] of a) if (!b.has(k)) rows.push({ field, entry: k, op: 'removed', from: x });
  for (const [k, y] of b) {
    const x = a.get(k);
    if (!x) {
      rows.push({ field, entry: k, op: 'added', to: y });
      continue;
    }
    for (const sub of new Set([...Object.keys(y), ...Object.keys(x)])) {
      if (!same(x[sub], y[sub])) rows.push({ field, entry: k, sub, op: 'changed', from: x[sub], to: y[sub] });
    }
  }
  if (!rows.length) rows.push({ field, op: 'changed', order: true, from: [...a.keys()], to: [...b.keys()] });
  return rows;
}

function valueRows(field: string, before: unknown[], after: unknown[]): DiffRow[] {
  const a = before.map(canon);
  const b = after.map(canon);
  const rows: DiffRow[] = [];
  before.forEach((x, i) => !b.includes(a[i]) && rows.push({ field, op: 'removed', from: x }));
  after.forEach((y, i) => !a.includes(b[i]) && rows.push({ field, op: 'added', to: y }));
  if (!rows.length) rows.push({ field, op: 'changed', order: true, from: before, to: after });
  return rows;
}

// The differences from `before` (null: the item does not exist yet) to `after`, in the order
// of `after`'s members.
export function diffItem(before: Doc | null, after: Doc): DiffRow[] {
  const rows: DiffRow[] = [];
  const fields = [...Object.keys(after), ...Object.keys(before ?? {}).filter((k) => !(k in after))];
  for (const field of fields) {
    const a = before?.[field];
    const b = after[field];
    if (!before) {
      if (isEmpty(b)) continue;
      if (isRecordList(field) && Array.isArray(b)) for (const y of b as Rec[]) rows.push({ field, entry: ENTRY_KEY[field](y), op: 'added', to: y });
      else rows.push({ field, op: 'added', to: b });
      continue;
    }
    if (same(a, b)) continue;
    if (a === undefined) rows.push({ field, op: 'added', to: b });
    else if (b === undefined) rows.push({ field, op: 'removed', from: a });
    else if (Array.isArray(a) && Array.isArray(b)) {
      const records = isRecordList(field) && [...a, ...b].every((x) => x && typeof x === 'object');
      rows.push(...(records ? recordRows(field, a as Rec[], b as Rec[]) : valueRows(field, a, b)));
    } else rows.push({ field, op: 'changed', from: a, to: b });
  }
  return rows;
}
