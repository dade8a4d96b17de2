// How the portal shows cases: which statuses are final, the tag colour of a status and of a
// deadline state, and times in the reader's locale. The types are the API's (api/cases.ts).
import type { CaseStatus, DeadlineState } from './api/cases';

export const FINAL: readonly CaseStatus[] = ['approved', 'denied', 'delivered', 'closed', 'withdrawn', 'not_accepted'];

export function statusType(s: CaseStatus): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  if (s === 'approved' || s === 'delivered' || s === 'closed') return 'success';
  if (s === 'supplement_requested' || s === 'suspended') return 'warning';
  if (s === 'denied' || s === 'not_accepted') return 'danger';
  if (s === 'withdrawn') return 'info';
  return 'primary';
}

export function deadlineType(s: DeadlineState): 'success' | 'warning' | 'danger' | 'info' {
  return s === 'red' ? 'danger' : s === 'yellow' ? 'warning' : s === 'normal' ? 'success' : 'info';
}

// The first time written in a page loads the browser's locale data for dates (some 15 ms
// here, four times that on Lighthouse's slowed CPU). A page that will show times calls this
// while it waits for its data, so that its render does not pay for it.
export function prepareTimeFormat(): void {
  setTimeout(() => new Date(0).toLocaleString());
}

export function formatTime(s: string | null | undefined): string {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d.getTime()) ? s : d.toLocaleString();
}

// The day of a time in the reader's time zone, as YYYY-MM-DD (the form documents are dated in).
export function formatDate(s: string | null | undefined): string {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d.getTime())) return s;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}
