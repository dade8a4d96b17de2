// The uses of the signed-in person's data by departments' systems (/api/v1/me/data-uses),
// from the exchange's message log, and objecting to one (a complaint to the provider).
import { call, type Schemas } from './client';

export type DataUse = Schemas['DataUse'];
export type DataConsentRequest = Schemas['DataConsentRequest'];

export const listMyDataUses = (cursor?: string) =>
  call('get', '/api/v1/me/data-uses', { query: cursor ? { cursor } : {} });
export const objectToDataUse = (seq: number, text: string) =>
  call('post', '/api/v1/me/data-uses/{seq}/objection', { path: { seq }, body: { text } });

// Requests to consent to fetching one's own data for another person's application (its other
// party), and the answer.
export const listMyDataConsentRequests = () => call('get', '/api/v1/me/data-consent-requests', {});
export const answerDataConsent = (no: string, material: string, consent: boolean) =>
  call('post', '/api/v1/cases/{no}/data-consents', { path: { no }, body: { material, consent } });
