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

export const isStaff = () => hasRole('acceptor', 'reviewer', 'approver', 'counter', 'agent');
export const isAdmin = () => hasRole('system_admin', 'security_admin');
