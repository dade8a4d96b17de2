// Types of the cases API (see /api/v1/cases in docs/openapi.json).
export interface CaseMaterial {
  id: string;
  filename: string;
  media_type: string;
  size: number;
  sha256: string;
  name: string;
}
export interface CaseEvent {
  seq: number;
  at: string;
  actor: string;
  channel: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  reason: string;
  detail?: Record<string, unknown>;
}
export interface CaseTask {
  id: string;
  kind: 'accept' | 'review' | string;
  name: string;
  role: string;
  department_code: string;
  region_code: string;
  claimed_by: string | null;
  due: string | null;
  version: number;
  status: string;
}
export interface Case {
  tracking_no: string;
  item_code: string;
  item_name: string;
  item_version: number;
  bundle_id?: string | null;
  applicant: { kind: 'person' | 'enterprise'; account_id: string | null; credit_code: string | null; name: string };
  channel: string;
  submitted_by: string;
  department_code: string;
  region_code: string;
  status: string;
  form: Record<string, unknown>;
  materials: CaseMaterial[];
  accepted_on: string | null;
  promised_days: number;
  statutory_days: number;
  promised_deadline: string | null;
  statutory_deadline: string | null;
  paused: boolean;
  deadline_state: 'none' | 'normal' | 'yellow' | 'red';
  decision: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  tasks?: CaseTask[];
  events?: CaseEvent[];
}

export const FINAL = ['approved', 'denied', 'delivered', 'closed', 'withdrawn', 'not_accepted'];

export function statusType(s: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  if (s === 'approved' || s === 'delivered' || s === 'closed') return 'success';
  if (s === 'supplement_requested' || s === 'suspended') return 'warning';
  if (s === 'denied' || s === 'not_accepted') return 'danger';
  if (s === 'withdrawn') return 'info';
  return 'primary';
}

export function deadlineType(s: string): 'success' | 'warning' | 'danger' | 'info' {
  return s === 'red' ? 'danger' : s === 'yellow' ? 'warning' : s === 'normal' ? 'success' : 'info';
}

export function formatTime(s: string | null | undefined): string {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d.getTime()) ? s : d.toLocaleString();
}

// A "one thing" bundle of the catalog (GET /api/v1/catalog/bundles) and an application for
// one (POST/GET /api/v1/bundle-applications): one case per item, decided by their departments.
export interface Bundle {
  code: string;
  name: string;
  name_en: string;
  kind: string;
  description: string;
  items: string[];
  intake_schema: Record<string, unknown>;
  version: number;
}
export interface BundleApplication {
  id: string;
  bundle_code: string;
  region_code: string;
  created_at: string;
  status: 'in_progress' | 'completed' | 'completed_with_refusals' | string;
  cases: Case[];
}

// An enterprise the user operates (GET /api/v1/me/enterprises) and their rights in it:
// "apply" to apply in its name, any right to follow its cases.
export interface Operated {
  credit_code: string;
  enterprise_name: string;
  rights: string[];
}
