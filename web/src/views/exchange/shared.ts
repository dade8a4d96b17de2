// What the exchange pages share: the departments the signed-in staff member works for (with
// the roles that let them act there), times in Beijing time, and a 422's field errors as
// an error summary's problems.
import { ApiError } from '../../api/client';
import type { FieldProblem } from '../../forms';
import { i18n } from '../../i18n';
import { session } from '../../session';

export const DEPARTMENT_ROLES = ['acceptor', 'reviewer', 'approver'];

// The departments where the account holds one of `roles`, each once.
export function myDepartments(roles: string[] = DEPARTMENT_ROLES): string[] {
  const out: string[] = [];
  for (const r of session.account?.roles ?? [])
    if (roles.includes(r.role) && r.department_code && !out.includes(r.department_code)) out.push(r.department_code);
  return out;
}

export function when(at: string | null | undefined): string {
  if (!at) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return d.toLocaleString(i18n.global.locale.value === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

// A 422's field errors, each with the label and control id `place` gives its field ('' id
// when the page has no control for it).
export function fieldProblems(e: unknown, place: (field: string) => { id: string; label: string }): FieldProblem[] {
  if (!(e instanceof ApiError) || e.status !== 422) return [];
  const t = i18n.global.t;
  return (e.problem.errors ?? []).map((fe) => {
    const p = place(fe.field);
    return { id: p.id, label: p.label, message: /^is required/.test(fe.message) ? t('exchange.err.required') : t('exchange.err.invalid') };
  });
}
