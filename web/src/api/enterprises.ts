// Enterprises the user operates (/api/v1/me/enterprises) and an enterprise's cases.
import { call, type QueryParams, type Schemas } from './client';

export type Operated = Schemas['Operator'];

export const listMyEnterprises = () => call('get', '/api/v1/me/enterprises');
export const listEnterpriseCases = (code: string, query: QueryParams<'/api/v1/enterprises/{code}/cases', 'get'>) =>
  call('get', '/api/v1/enterprises/{code}/cases', { path: { code }, query });
