// The applicant's messages about their cases (/api/v1/me/messages).
import { call, type Schemas } from './client';

export type CaseMessage = Schemas['CaseMessage'];

export const listMyMessages = () => call('get', '/api/v1/me/messages');
export const markMessageRead = (id: number) => call('post', '/api/v1/me/messages/{id}/read', { path: { id } });
