// A resident's identity assurance (/api/v1/me/identity) and its verification in person at a
// hall's counter (/api/v1/counter/...).
import { call, type RequestBody, type Schemas } from './client';

export type IdentityOptions = Schemas['IdentityOptions'];

export const getMyIdentity = () => call('get', '/api/v1/me/identity');
export const verifyMyIdentityOnline = () => call('post', '/api/v1/me/identity/verification', { body: {} });

export const lookUpAccounts = (body: RequestBody<'/api/v1/counter/account-lookups', 'post'>) =>
  call('post', '/api/v1/counter/account-lookups', { body });
export const verifyAtCounter = (id: string, body: RequestBody<'/api/v1/counter/accounts/{id}/verification', 'post'>) =>
  call('post', '/api/v1/counter/accounts/{id}/verification', { path: { id }, body });
