// Cases (/api/v1/cases): filing one, reading one, the lists of the applicant's and of the
// staff's, and the steps of the applicant and the staff on one.
import { call, type QueryParams, type RequestBody, type Schemas } from './client';

export type Case = Schemas['Case'];
export type CaseSummary = Schemas['CaseSummary'];
export type CaseMaterial = Schemas['CaseMaterial'];
export type CaseLicence = Schemas['CaseLicence'];
// A document issued for the case (acceptance notice, notice of non-acceptance, decision),
// with the URL of its PDF sealed by the department's approval seal.
export type CaseDocument = Schemas['CaseDocument'];
export type MaterialRef = Extract<Schemas['MaterialRef'], { id: string }>;
export type LicenceRef = Schemas['LicenceRef'];
export type CaseEvent = Schemas['CaseEvent'];
export type CaseTask = Schemas['CaseTask'];
export type CaseStatus = Schemas['CaseStatus'];
export type DeadlineState = Schemas['DeadlineState'];
export type CaseSubmission = RequestBody<'/api/v1/cases', 'post'>;
export type SuspensionProcedure = Schemas['CaseSuspension']['procedure'];
export type DeliveryMethod = Schemas['CaseDelivery']['method'];

export const submitCase = (body: CaseSubmission) => call('post', '/api/v1/cases', { body });
export const getCase = (no: string) => call('get', '/api/v1/cases/{no}', { path: { no } });
export const listCases = (query: QueryParams<'/api/v1/cases', 'get'>) => call('get', '/api/v1/cases', { query });
export const listMyCases = (query: QueryParams<'/api/v1/me/cases', 'get'>) => call('get', '/api/v1/me/cases', { query });

export const withdrawCase = (no: string, body: RequestBody<'/api/v1/cases/{no}/withdraw', 'post'>) =>
  call('post', '/api/v1/cases/{no}/withdraw', { path: { no }, body });
// What the applicant supplies: the form, uploads, and held licences used with consent for
// materials, as at submission.
export type CaseSupply = RequestBody<'/api/v1/cases/{no}/supplement', 'post'>;
export const supplyCase = (no: string, body: CaseSupply) => call('post', '/api/v1/cases/{no}/supplement', { path: { no }, body });
export const requestSupplement = (no: string, body: RequestBody<'/api/v1/cases/{no}/supplement-request', 'post'>) =>
  call('post', '/api/v1/cases/{no}/supplement-request', { path: { no }, body });
export const suspendCase = (no: string, body: RequestBody<'/api/v1/cases/{no}/suspend', 'post'>) =>
  call('post', '/api/v1/cases/{no}/suspend', { path: { no }, body });
export const resumeCase = (no: string, body: RequestBody<'/api/v1/cases/{no}/resume', 'post'>) =>
  call('post', '/api/v1/cases/{no}/resume', { path: { no }, body });
export const deliverCase = (no: string, body: RequestBody<'/api/v1/cases/{no}/deliver', 'post'>) =>
  call('post', '/api/v1/cases/{no}/deliver', { path: { no }, body });
export const closeCase = (no: string, body: RequestBody<'/api/v1/cases/{no}/close', 'post'>) =>
  call('post', '/api/v1/cases/{no}/close', { path: { no }, body });

// The public lookup (我要查): a case's stage to whoever gives its tracking number, the
// applicant's name and the last four of the ID, without signing in.
export type CaseLookup = Schemas['CaseLookup'];
export type CaseStage = CaseLookup['stage'];
export const lookupCase = (body: Schemas['CaseLookupInput']) => call('post', '/api/v1/case-lookups', { body });

// What the platform knows for an item's form (x-prefill): the caller's own details and,
// with `enterprise`, the enterprise's.
export const getPrefill = (item_code: string, enterprise?: string) =>
  call('get', '/api/v1/me/prefill', { query: { item_code, ...(enterprise ? { enterprise } : {}) } });

// Data from the exchange standing for materials, with the applicant's consent (issue 14):
// the form filled in from the person's own data (each query logged, shown in 我的数据使用记录),
// and staff fetching a case's consented data again after a failure.
export type CaseDataUse = Schemas['CaseDataUse'];
export const prefillFromData = (item_code: string, materials: string[]) =>
  call('post', '/api/v1/me/prefill/data', { body: { item_code, materials } });
export const retryDataFetch = (no: string) => call('post', '/api/v1/cases/{no}/data-uses/fetch', { path: { no } });
