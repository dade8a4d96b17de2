// The signed-in account (cookie session "ow_session"), shared by every page.
import { reactive } from 'vue';
import { api, ApiError, setCsrfToken } from './api';

export interface RoleGrant {
  role: string;
  department_code: string;
  region_code: string;
}

export interface Account {
  id: string;
  kind: 'person' | 'staff' | string;
  username: string;
  real_name: string;
  resident_id: string | null;
  roles: RoleGrant[];
  department_code?: string;
  region_code?: string;
}

interface SessionBody {
  account: Account;
  csrf_token: string;
}

export const session = reactive({
  loaded: false,
  account: null as Account | null,
});

function apply(body: SessionBody | null): void {
  session.account = body ? body.account : null;
  setCsrfToken(body ? body.csrf_token : '');
  session.loaded = true;
}

export async function loadSession(): Promise<void> {
  try {
    apply(await api.get<SessionBody>('/api/v1/session'));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) apply(null);
    else {
      session.loaded = true;
      throw e;
    }
  }
}

export async function login(username: string, password: string): Promise<void> {
  apply(await api.post<SessionBody>('/api/v1/session', { username, password }));
}

export async function logout(): Promise<void> {
  try {
    await api.del('/api/v1/session');
  } finally {
    apply(null);
  }
}

export function hasRole(...roles: string[]): boolean {
  return !!session.account?.roles?.some((r) => roles.includes(r.role));
}

export const isStaff = () => hasRole('acceptor', 'reviewer', 'approver', 'counter', 'agent');
export const isAdmin = () => hasRole('system_admin', 'security_admin');
