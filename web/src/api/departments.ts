// Departments (/api/v1/departments).
import { call, type QueryParams, type RequestBody, type Schemas } from './client';

export type Department = Schemas['Department'];

export const listDepartments = (query: QueryParams<'/api/v1/departments', 'get'>) => call('get', '/api/v1/departments', { query });
export const createDepartment = (body: RequestBody<'/api/v1/departments', 'post'>) => call('post', '/api/v1/departments', { body });
