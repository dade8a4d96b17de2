// Staff accounts and their roles (/api/v1/staff).
import { call, type QueryParams, type RequestBody, type Schemas } from './client';

export type RoleName = Schemas['RoleName'];

export const listStaff = (query: QueryParams<'/api/v1/staff', 'get'>) => call('get', '/api/v1/staff', { query });
export const createStaff = (body: RequestBody<'/api/v1/staff', 'post'>) => call('post', '/api/v1/staff', { body });
export const grantRole = (id: string, body: RequestBody<'/api/v1/staff/{id}/roles', 'post'>) =>
  call('post', '/api/v1/staff/{id}/roles', { path: { id }, body });
export const revokeRole = (id: string, query: QueryParams<'/api/v1/staff/{id}/roles', 'delete'>) =>
  call('delete', '/api/v1/staff/{id}/roles', { path: { id }, query });
