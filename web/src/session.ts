// The signed-in account (cookie session "ow_session"), shared by every page.
import { reactive } from 'vue';
import { ApiError, setCsrfToken } from './api/client';
import * as api from './api/session';
import type { Account } from './api/session';

export const session = reactive({
  loaded: false,
  account: null as Account | null,
});

function apply(body: { account: Account; csrf_token: string } | null): void {
  session.account = body ? body.account : null;
  setCsrfToken(body ? body.csrf_token : '');
  session.loaded = true;
}

export async function loadSession(): Promise<void> {
  try {
    apply(await api.getSession());
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) apply(null);
    else {
      session.loaded = true;
      throw e;
    }
  }
}

export async function login(username: string, password: string): Promise<void> {
  apply(await api.login({ username, password }));
}

export async function logout(): Promise<void> {
  try {
    await api.logout();
  } finally {
    apply(null);
  }
}

export function hasRole(...roles: string[]): boolean {
  return !!session.account?.roles?.some((r) => roles.includes(r.role));
}

// Who works on cases at the workbench (the server's "workbench" action); the proxy clerk
// (agent) acts for residents instead and has no workbench.
export const CASE_STAFF = ['acceptor', 'reviewer', 'approver', 'counter'];
export const isStaff = () => hasRole(...CASE_STAFF);
// The three administrator duties (separate: no account holds two).
export const SYSTEM_ADMIN = ['system_admin'];
export const SECURITY_ADMIN = ['security_admin'];
export const AUDIT_ADMIN = ['audit_admin'];
export const isAdmin = () => hasRole(...SYSTEM_ADMIN, ...SECURITY_ADMIN, ...AUDIT_ADMIN);

// Where an account starts when nothing else was asked for (a sign-in without `return`, the
// admin link): each administrator duty on its own page, case-handling staff on the workbench,
// everyone else on the home page. The home page itself stays the public portal for everyone.
export function roleHome(): string {
  if (hasRole(...AUDIT_ADMIN)) return '/admin/audit';
  if (hasRole(...SECURITY_ADMIN)) return '/admin/security';
  if (hasRole(...SYSTEM_ADMIN)) return '/admin/catalog';
  if (isStaff()) return '/workbench';
  return '/';
}
