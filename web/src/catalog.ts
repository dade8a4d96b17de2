// Catalog helpers shared by several pages: the departments (loaded once) with their names,
// the regions an application may name, and the subset of JSON Schema that item forms use. The
// API's types are in api/catalog.ts.
import { ref } from 'vue';
import { listDepartments, type Department } from './api/departments';
import { getItem, listItemImplementations, type CatalogItem } from './api/catalog';
import { ApiError } from './api/client';
import { regionPath } from './api/regions';
import { i18n, localized } from './i18n';
import { chosen, type Answers, type Situation, type When } from './situations';
import type { FieldProblem } from './forms';

const departments = ref<Department[]>([]);
let loading: Promise<void> | null = null;

export function useDepartments() {
  if (!loading) {
    loading = listDepartments({ limit: 200 })
      .then((b) => {
        departments.value = b.items;
      })
      .catch(() => {
        loading = null;
      });
  }
  const name = (code: string) => {
    const d = departments.value.find((x) => x.code === code);
    return d ? localized(d.name, d.name_en) : code;
  };
  // `loaded` settles when the names are in (or could not be had): a page waits for it to show a
  // list naming departments once, rather than codes first and names a moment later.
  return { departments, departmentName: name, loaded: loading ?? Promise.resolve(), reload: () => ((loading = null), useDepartments()) };
}

// Items' names by code, read once each (the service an answer leads to is named, not coded).
const itemNames = ref<Record<string, { name: string; name_en: string } | null>>({});
export function useItemName() {
  return (code: string) => {
    if (!(code in itemNames.value)) {
      itemNames.value[code] = null;
      getItem(code)
        .then((v) => (itemNames.value[code] = { name: v.item.name, name_en: v.item.name_en ?? '' }))
        .catch(() => {});
    }
    const n = itemNames.value[code];
    return n ? localized(n.name, n.name_en) : code;
  };
}

// "Needed only if your answer to “Where is your household registered?” is “In Hangzhou”": a
// material's or an item's conditions (situations.ts) in words.
export function onlyIf(when: When[] | undefined, situations: Situation[] | undefined): string {
  const { t } = i18n.global;
  const conditions = (when ?? []).map((w) => {
    const s = situations?.find((x) => x.code === w.situation);
    const labels = w.options.map((o) => s?.options.find((x) => x.code === o)).map((o, i) => (o ? localized(o.label, o.label_en) : w.options[i]));
    return t('situation.condition', { question: s ? localized(s.question, s.question_en) : w.situation, answers: labels.join(t('situation.or')) });
  });
  return conditions.length ? t('situation.onlyIf', { conditions: conditions.join(t('situation.and')) }) : '';
}

// What to do at each question of `situations` before applying, for an error summary: choose an
// answer, or (an answer that calls for a different service) apply for that one instead. `focusId`
// names the control each entry's link focuses (SituationQuestions' focusId). With `refused`
// (the codes of a 422's situation/<code> errors), one entry for each of those questions only.
export function situationProblems(situations: Situation[] | undefined, answers: Answers, focusId: (code: string) => string, refused?: string[]): FieldProblem[] {
  const { t } = i18n.global;
  const itemName = useItemName();
  return (situations ?? []).flatMap((s) => {
    if (refused && !refused.includes(s.code)) return [];
    const o = chosen(s, answers);
    if (o?.item_code) return [{ id: focusId(s.code), label: t('situation.otherItemLabel'), message: itemName(o.item_code) }];
    if (!o || refused) return [{ id: focusId(s.code), label: t('situation.choose'), message: localized(s.question, s.question_en) }];
    return [];
  });
}

// The message at each question of `flagged` (codes) still unanswered or answered with a
// different service, by code (SituationQuestions' errors): each goes once it is put right.
export function situationErrors(situations: Situation[] | undefined, answers: Answers, flagged: string[]): Record<string, string> {
  const { t } = i18n.global;
  const out: Record<string, string> = {};
  for (const s of situations ?? []) {
    if (!flagged.includes(s.code)) continue;
    const o = chosen(s, answers);
    if (!o) out[s.code] = t('situation.needAnswer');
    else if (o.item_code) out[s.code] = t('situation.otherItemError');
  }
  return out;
}

export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  // English labels (annotations, catalog/item.h): beside title, description and enum.
  'x-title-en'?: string;
  'x-description-en'?: string;
  'x-enum-en'?: string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
}

// A field's label in the reader's language: its title (or English title), else its key.
export function fieldTitle(s: JsonSchema, key: string): string {
  return localized(s.title, s['x-title-en']) || key;
}

// The label of one of a field's enum values: its English label in English, else the value.
export function enumLabel(s: JsonSchema, value: unknown): string {
  const i = (s.enum ?? []).indexOf(value);
  return localized(String(value), i >= 0 ? s['x-enum-en']?.[i] : undefined);
}

// A field a 422 names on an application (online or at the counter) as the page labels it, for
// ProblemAlert's list of entries to correct: a form field ("form/shop_name") by its schema
// title, the region, the materials; undefined for others (kept in the problem's details).
export function applicationFieldLabel(schema: JsonSchema, field: string): string | undefined {
  const { t } = i18n.global;
  if (field === 'region_code') return t('apply.region');
  if (/^(materials|material_ids|licences|data_consents)(\/|$)/.test(field)) return t('apply.materials');
  if (/^(situation|item_situations)(\/|$)/.test(field)) return t('situation.answers');
  if (field.startsWith('form/')) {
    const key = field.slice('form/'.length).split('/')[0];
    const p = schema.properties?.[key];
    if (p) return fieldTitle(p, key);
  }
  return undefined;
}

// A 422 on an application, for the page's error summary: the field errors by key (SchemaForm's
// serverErrors says the form's in words), what to do about the region and the materials ('' when
// fine), the questions whose answer was refused (situation/<code>; a bundle's items' by item
// code, item_situations/<item>/<code>), and whether every error has its place there (else
// ProblemAlert says the rest). Null for any other failure.
export function applicationErrors(e: unknown, schema: JsonSchema) {
  if (!(e instanceof ApiError) || e.status !== 422 || !e.problem.errors?.length) return null;
  const { t } = i18n.global;
  const out = { fields: {} as Record<string, string>, region: '', materials: '', situations: [] as string[], itemSituations: {} as Record<string, string[]>, all: true };
  for (const { field, message } of e.problem.errors) {
    out.fields[field] = message;
    if (field === 'region_code') out.region = /not handled/.test(message) ? t('apply.regionNotHandled') : t('apply.chooseRegion');
    else if (/^(materials|material_ids|licences|data_consents)(\/|$)/.test(field)) out.materials = /missing/.test(message) ? t('apply.materialsMissing') : t('apply.checkMaterials');
    else if (/^situation\/[^/]+$/.test(field)) out.situations.push(field.slice('situation/'.length));
    else if (/^item_situations\/[^/]+\/[^/]+$/.test(field)) {
      const [, item, code] = field.split('/');
      (out.itemSituations[item] ??= []).push(code);
    }
    else if (!(field.startsWith('form/') && schema.properties?.[field.slice('form/'.length).split('/')[0]])) out.all = false;
  }
  return out;
}

// A region an application may name: its code, its names from the province down, and the
// department that handles the (one) item there.
export interface RegionOption {
  code: string;
  name: string;
  department_code?: string;
}

// The nearest implementation at or above `region` (codes are prefixes of the codes below them).
function handling<T extends { region_code: string }>(region: string, implementations: T[]): T | undefined {
  return implementations.filter((m) => region.startsWith(m.region_code)).sort((a, b) => b.region_code.length - a.region_code.length)[0];
}

// The regions where every one of `items` is implemented, to choose where to apply: the items'
// jurisdictions and the regions of their implementations, kept where the server takes an
// application (cases/intake.cc: an implementation at the region or above it; a jurisdiction
// with none is refused). A region below one of these is taken too, but is handled by the same
// department, so it is not offered.
export async function implementedRegions(items: CatalogItem[]): Promise<RegionOption[]> {
  const lists = await Promise.all(items.map((i) => listItemImplementations(i.code).then((l) => l.items)));
  const candidates = new Set([...items.flatMap((i) => i.jurisdiction), ...lists.flat().map((m) => m.region_code)]);
  const codes = [...candidates].filter((r) => lists.every((l) => handling(r, l))).sort();
  const paths = await Promise.all(codes.map((c) => regionPath(c).catch(() => null)));
  return codes.map((code, i) => ({
    code,
    name: paths[i] ? localized(paths[i]!.path, paths[i]!.path_en) : code,
    department_code: items.length === 1 ? handling(code, lists[0])?.department_code : undefined,
  }));
}

// The option to preselect: the one a link asked for (?region=, or the nearest above it, which is
// where the server would send it), else the only one.
export function preselectedRegion(options: RegionOption[], wanted: string): string {
  const above = options.filter((o) => wanted && wanted.startsWith(o.code)).sort((a, b) => b.code.length - a.code.length);
  return above[0]?.code ?? (options.length === 1 ? options[0].code : '');
}
