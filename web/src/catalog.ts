// Catalog and department look-ups shared by several pages.
import { ref } from 'vue';
import { api } from './api';
import { localized } from './i18n';

export interface Department {
  code: string;
  name: string;
  name_en?: string | null;
  region_code: string;
  type: string;
  parent_code?: string | null;
}

export interface ItemSummary {
  code: string;
  name: string;
  name_en?: string;
  type: string;
  department_code: string;
  level: string;
  online_depth: number;
  visits: number;
  promised_days: number;
  statutory_days: number;
}

const departments = ref<Department[]>([]);
let loading: Promise<void> | null = null;

export function useDepartments() {
  if (!loading) {
    loading = api
      .get<{ items: Department[] }>('/api/v1/departments?limit=200')
      .then((b) => {
        departments.value = b.items;
      })
      .catch(() => {
        loading = null;
      });
  }
  const name = (code: string) => {
    const d = departments.value.find((x) => x.code === code);
    return d ? localized(d.name, d.name_en ?? undefined) : code;
  };
  return { departments, departmentName: name, reload: () => ((loading = null), useDepartments()) };
}

export interface CatalogMaterial {
  name: string;
  name_en?: string;
  required: boolean;
  copies: number;
  form: string;
  blank_form_url: string;
  sample_url: string;
  note: string;
  license_type?: string;
}
export interface Hall {
  name: string;
  address: string;
  hours: string;
}
export interface ItemDoc {
  code: string;
  name: string;
  name_en?: string;
  type: string;
  department_code: string;
  themes: string[];
  level: string;
  served: string[];
  service_forms: string[];
  jurisdiction: string[];
  legal_basis: { title: string; article: string; url?: string }[];
  conditions: string[];
  materials: CatalogMaterial[];
  steps: { name: string; description: string }[];
  statutory_days: number;
  promised_days: number;
  fees: { name: string; amount: string; basis: string }[];
  halls: Hall[];
  consult_phone: string;
  complaint_phone: string;
  online_depth: number;
  visits: number;
  appointment: boolean;
  delivery: boolean;
  cross_region: string;
  guide?: string;
  guide_en?: string;
  form_schema: Record<string, unknown>;
}

export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
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
