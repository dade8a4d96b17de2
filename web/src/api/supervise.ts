// Supervision (电子监察, /api/v1/supervision*) and random inspections (双随机、一公开,
// /api/v1/inspection*): the supervisors' watch list, orders, claims, and published plans.
import { call, type Schemas } from './client';

export type Watched = Schemas['Watched'];
export type PublicInspection = Schemas['PublicInspection'];
export type WatchKind = NonNullable<Watched['kind']>;

export const watchList = (kind?: WatchKind) => call('get', '/api/v1/supervision/watch', { query: kind ? { kind } : {} });
export const publishedInspections = (region?: string) => call('get', '/api/v1/inspections', { query: region ? { region } : {} });

export type SupervisionOrder = Schemas['SupervisionOrder'];
export type SupervisionClaim = Schemas['SupervisionClaim'];
export const departmentOrders = () => call('get', '/api/v1/supervision-orders', { query: { which: 'department' } });
export const replyOrder = (number: string, body: Schemas['SupervisionReplyInput']) =>
  call('post', '/api/v1/supervision-orders/{number}/reply', { path: { number }, body });
export const departmentClaims = () => call('get', '/api/v1/supervision-claims', { query: { which: 'department', status: 'pending' } });
export const claimLicensee = (licence: string, body: Schemas['SupervisionClaimInput']) =>
  call('post', '/api/v1/supervision-claims/{licence}/claim', { path: { licence }, body });

// The console's drill-down: the watch list of one region, one case as supervisors see it, and
// a supervision order about it.
export type SupervisedCase = Schemas['SupervisedCase'];
export const regionWatchList = (region: string, kind?: WatchKind) =>
  call('get', '/api/v1/supervision/watch', { query: kind ? { region, kind } : { region } });
export const supervisedCase = (no: string) => call('get', '/api/v1/supervision/cases/{no}', { path: { no } });

// The supervisors' side: orders they issue and decide, and the claims of their regions.
export type OrderStatus = NonNullable<SupervisionOrder['status']>;
export const supervisorOrders = (status?: OrderStatus) =>
  call('get', '/api/v1/supervision-orders', { query: status ? { which: 'supervisor', status } : { which: 'supervisor' } });
export const getOrder = (number: string) => call('get', '/api/v1/supervision-orders/{number}', { path: { number } });
export const issueOrder = (body: Schemas['SupervisionOrderInput']) => call('post', '/api/v1/supervision-orders', { body });
export const decideOrder = (number: string, body: Schemas['SupervisionDecisionInput']) =>
  call('post', '/api/v1/supervision-orders/{number}/decision', { path: { number }, body });
export const supervisorClaims = (status?: 'pending' | 'claimed') =>
  call('get', '/api/v1/supervision-claims', { query: status ? { which: 'supervisor', status } : { which: 'supervisor' } });

// Random inspections, the department's approvers: inspection staff, declared conflicts,
// plans drawn, results, publication.
export type Inspector = Schemas['Inspector'];
export type InspectionConflict = Schemas['InspectionConflict'];
export type InspectionPlan = Schemas['InspectionPlan'];
export type InspectionEntry = Schemas['InspectionEntry'];
export type InspectionResult = Schemas['InspectionResultInput']['result'];
export const inspectionStaff = (department: string) => call('get', '/api/v1/inspection-staff', { query: { department } });
export const addInspector = (body: Schemas['InspectorInput']) => call('post', '/api/v1/inspection-staff', { body });
export const removeInspector = (department: string, account: string) =>
  call('delete', '/api/v1/inspection-staff/{department}/{account}', { path: { department, account } });
export const inspectionConflicts = (department: string) => call('get', '/api/v1/inspection-conflicts', { query: { department } });
export const declareConflict = (body: Schemas['InspectionConflictInput']) => call('post', '/api/v1/inspection-conflicts', { body });
export const inspectionPlans = (department: string) => call('get', '/api/v1/inspection-plans', { query: { department } });
export const createPlan = (body: Schemas['InspectionPlanInput']) => call('post', '/api/v1/inspection-plans', { body });
export const getPlan = (number: string) => call('get', '/api/v1/inspection-plans/{number}', { path: { number } });
export const recordResult = (number: string, body: Schemas['InspectionResultInput']) =>
  call('post', '/api/v1/inspection-plans/{number}/results', { path: { number }, body });
export const publishPlan = (number: string, version: number) =>
  call('post', '/api/v1/inspection-plans/{number}/publication', { path: { number }, body: { version } });
