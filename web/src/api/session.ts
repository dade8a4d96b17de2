// The cookie session: who is signed in, signing in and out (/api/v1/session).
import { call, type RequestBody, type Schemas } from './client';

export type Account = Schemas['Account'];
export type RoleGrant = Schemas['Role'];

export const getSession = () => call('get', '/api/v1/session');
export const login = (body: RequestBody<'/api/v1/session', 'post'>) => call('post', '/api/v1/session', { body });
export const logout = () => call('delete', '/api/v1/session');
