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
export const departmentOrders = () => call('get', '/api/v1/supervision-orders', { query: { which: 'department', status: 'open' } });
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
export const issueOrder = (body: Schemas['SupervisionOrderInput']) => call('post', '/api/v1/supervision-orders', { body });
