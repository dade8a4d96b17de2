// Electronic licences (/api/v1/licences, /api/v1/me/licences): the wallet, one licence with
// its history, its sealed PDF, sharing with a third party, verification by anyone, and what
// staff issue and revoke.
import { call, fill, request, type QueryParams, type RequestBody, type ResponseOf, type Schemas } from './client';

export type Licence = Schemas['Licence'];
export type LicenceVerification = Schemas['LicenceVerification'];
export type LicenceShare = Schemas['LicenceShare'];
export type NewLicenceShare = Schemas['NewLicenceShare'];
export type SharedLicence = Schemas['SharedLicence'];

// The caller's licences, or (with `enterprise`) an enterprise's they operate.
export const myLicences = (q: QueryParams<'/api/v1/me/licences', 'get'> = {}) => call('get', '/api/v1/me/licences', { query: q });
export const getLicence = (number: string) => call('get', '/api/v1/licences/{number}', { path: { number } });
export const licencePdfUrl = (number: string) => fill('/api/v1/licences/{number}/pdf', { number });

export const listShares = (number: string) => call('get', '/api/v1/licences/{number}/shares', { path: { number } });
export const shareLicence = (number: string, hours: number) => call('post', '/api/v1/licences/{number}/shares', { path: { number }, body: { hours } });
export const revokeShare = (number: string, id: string) => call('delete', '/api/v1/licences/{number}/shares/{id}', { path: { number, id } });
// Anyone with a live code sees the licence.
export const openShare = (code: string) => call('post', '/api/v1/licence-share-views', { body: { code } });

// Anyone: a QR payload (or the URL the QR code carries) checked against the published seals.
export const verifyLicence = (payload: string) => call('post', '/api/v1/licence-verifications', { body: { payload } });

// Staff of the issuing department.
export const listIssued = (q: QueryParams<'/api/v1/licences', 'get'>) => call('get', '/api/v1/licences', { query: q });
export const issueLicence = (body: RequestBody<'/api/v1/licences', 'post'>) => call('post', '/api/v1/licences', { body });
// Suspends, resumes or revokes `l` at the version read (If-Match).
export const setLicenceStatus = (l: Licence, body: RequestBody<'/api/v1/licences/{number}/status', 'post'>) =>
  request<ResponseOf<'/api/v1/licences/{number}/status', 'post'>>(fill('/api/v1/licences/{number}/status', { number: l.number }), {
    method: 'POST',
    body,
    headers: { 'If-Match': `"v${l.version}"` },
  });
export const listLicenceTypes = () => call('get', '/api/v1/licence-types');
// Existing paper licences of one type, digitised: all rows or none.
export const importLicences = (body: RequestBody<'/api/v1/licence-imports', 'post'>) => call('post', '/api/v1/licence-imports', { body });

// Seals and the CA (the security administrator) and licence types (the system administrator).
export type Seal = Schemas['Seal'];
export type LicenceType = Schemas['LicenceType'];
export const listSeals = (department: string) => call('get', '/api/v1/seals', { query: { department } });
export const createSeal = (body: RequestBody<'/api/v1/seals', 'post'>) => call('post', '/api/v1/seals', { body });
export const setSealStatus = (seal: Seal, body: RequestBody<'/api/v1/seals/{id}/status', 'post'>) =>
  request<ResponseOf<'/api/v1/seals/{id}/status', 'post'>>(fill('/api/v1/seals/{id}/status', { id: seal.id }), {
    method: 'POST',
    body,
    headers: { 'If-Match': `"v${seal.version}"` },
  });
export const addSealHolder = (id: string, username: string) => call('put', '/api/v1/seals/{id}/holders/{username}', { path: { id, username } });
export const removeSealHolder = (id: string, username: string) => call('delete', '/api/v1/seals/{id}/holders/{username}', { path: { id, username } });
export const listAuthorities = () => call('get', '/api/v1/pki/authorities');
export const rotateAuthority = () => call('post', '/api/v1/pki/rotation');
// Creates (version 0: If-None-Match) or replaces a type at the version read.
export const putLicenceType = (code: string, body: RequestBody<'/api/v1/licence-types/{code}', 'put'>, version: number) =>
  request<ResponseOf<'/api/v1/licence-types/{code}', 'put'>>(fill('/api/v1/licence-types/{code}', { code }), {
    method: 'PUT',
    body,
    headers: version ? { 'If-Match': `"v${version}"` } : {},
  });
