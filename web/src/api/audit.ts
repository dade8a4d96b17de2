// The audit log (/api/v1/audit): its records, newest first, filtered and paged, and the check
// of its hash chain. Only an audit administrator may read either.
import { call, type QueryParams, type Schemas } from './client';

export type AuditRecord = Schemas['AuditRecord'];
export type AuditOutcome = Schemas['AuditOutcome'];
export type AuditQuery = QueryParams<'/api/v1/audit', 'get'>;
export type AuditChainCheck = Schemas['AuditChainCheck'];

export const listAudit = (query: AuditQuery) => call('get', '/api/v1/audit', { query });
export const verifyAuditChain = () => call('get', '/api/v1/audit/verify');
