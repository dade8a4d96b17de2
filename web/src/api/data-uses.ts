// The uses of the signed-in person's data by departments' systems (/api/v1/me/data-uses),
// from the exchange's message log, and objecting to one (a complaint to the provider).
import { call, type Schemas } from './client';

export type DataUse = Schemas['DataUse'];

export const listMyDataUses = (cursor?: string) =>
  call('get', '/api/v1/me/data-uses', { query: cursor ? { cursor } : {} });
export const objectToDataUse = (seq: number, text: string) =>
  call('post', '/api/v1/me/data-uses/{seq}/objection', { path: { seq }, body: { text } });
