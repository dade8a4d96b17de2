// The case archive (issue 18): a case closed longer ago than archive.after_days has left the
// live tables; it is read here, read-only, by its tracking number, listed among the caller's
// own archived cases, and exported as its signed package by staff and auditors.
import { call, type QueryParams, type Schemas } from './client';

export type ArchivedCase = Schemas['ArchivedCase'];
export type ArchivedCaseSummary = Schemas['ArchivedCaseSummary'];
export type ArchivePackage = Schemas['ArchivePackage'];

export const getArchivedCase = (no: string) => call('get', '/api/v1/archive/cases/{no}', { path: { no } });
export const getArchivePackage = (no: string) => call('get', '/api/v1/archive/cases/{no}/package', { path: { no } });
export const listMyArchivedCases = (query: QueryParams<'/api/v1/me/archived-cases', 'get'>) =>
  call('get', '/api/v1/me/archived-cases', { query });
