// Catalog helpers shared by several pages: the departments (loaded once) with their names,
// and the subset of JSON Schema that item forms use. The API's types are in api/catalog.ts.
import { ref } from 'vue';
import { listDepartments, type Department } from './api/departments';
import { localized } from './i18n';

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
