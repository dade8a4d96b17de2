// The data sharing and exchange hub for staff: the data resource catalogue of a provider
// department (drafts, review), access applications to decide, a department's systems with
// their applications and grants (applying for them), and the exchange message log (search,
// an entry's evidence, the whole log's verification).
import { call, type Schemas } from './client';

export type DataResource = Schemas['ExchangeResource'];
export type DataResourceInput = Schemas['ExchangeResourceCreate'];
export type DataField = Schemas['ExchangeFieldInput'];
export type AccessApplication = Schemas['ExchangeApplication'];
export type DepartmentSystem = Schemas['ExchangeDepartmentSystem'];
export type LogEntry = Schemas['ExchangeLogEntry'];
export type LogEvidence = Schemas['ExchangeEvidence'];
export type LogCheck = Schemas['ExchangeLogCheck'];

export const searchResources = (q: string, department = '') =>
  call('get', '/api/v1/exchange/resources', { query: { q: q || undefined, department: department || undefined, limit: 200 } });
export const unpublishedResources = (department: string) =>
  call('get', '/api/v1/exchange/departments/{department}/drafts', { path: { department } });
export const createResource = (body: DataResourceInput) => call('post', '/api/v1/exchange/resources', { body });
export const submitResource = (code: string, version: number) =>
  call('post', '/api/v1/exchange/resources/{code}/versions/{version}/submission', { path: { code, version } });
export const reviewResource = (code: string, version: number, publish: boolean, note: string) =>
  call('post', '/api/v1/exchange/resources/{code}/versions/{version}/review', {
    path: { code, version },
    body: { publish, note },
  });

export const incomingApplications = (department: string, status = '') =>
  call('get', '/api/v1/exchange/departments/{department}/applications', {
    path: { department },
    query: { status: status || undefined },
  });
export const decideApplication = (id: string, approve: boolean, reason: string) =>
  call('post', '/api/v1/exchange/applications/{id}/decision', { path: { id }, body: { approve, reason } });
export const revokeGrant = (id: string, reason: string) =>
  call('post', '/api/v1/exchange/applications/{id}/revocation', { path: { id }, body: { reason } });

export const departmentSystems = (department: string) =>
  call('get', '/api/v1/exchange/departments/{department}/systems', { path: { department } });
export const applyForSystem = (clientId: string, body: Schemas['ExchangeApplicationCreate']) =>
  call('post', '/api/v1/exchange/systems/{client_id}/applications', { path: { client_id: clientId }, body });

export type LogFilter = {
  department?: string;
  consumer_department?: string;
  consumer_client?: string;
  provider_department?: string;
  resource_code?: string;
  outcome?: string;
  case_tracking?: string;
  subject_kind?: string;
  subject_id?: string;
  from?: string;
  until?: string;
  cursor?: string;
};
export const searchLog = (f: LogFilter) => {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v) query[k] = v;
  return call('get', '/api/v1/exchange/log', { query });
};
export const logEvidence = (seq: number) => call('get', '/api/v1/exchange/log/{seq}/evidence', { path: { seq } });
export const verifyLog = () => call('get', '/api/v1/exchange/log/verify');
