// Catalog helpers shared by several pages: the departments (loaded once) with their names,
// and the subset of JSON Schema that item forms use. The API's types are in api/catalog.ts.
import { ref } from 'vue';
import { listDepartments, type Department } from './api/departments';
import { i18n, localized } from './i18n';

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
  return { departments, departmentName: name, reload: () => ((loading = null), useDepartments()) };
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
  if (/^(materials|material_ids|licences)(\/|$)/.test(field)) return t('apply.materials');
  if (field.startsWith('form/')) {
    const key = field.slice('form/'.length).split('/')[0];
    const p = schema.properties?.[key];
    if (p) return fieldTitle(p, key);
  }
  return undefined;
}
