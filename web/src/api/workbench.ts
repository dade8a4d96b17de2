// The staff workbench: the inbox of open tasks (/api/v1/workbench/tasks) and the steps on a
// task (/api/v1/tasks/{id}/...).
import { call, type QueryParams, type RequestBody, type Schemas } from './client';

export type InboxTask = Schemas['InboxTask'];
export type InboxCounts = Schemas['Inbox']['counts'];
export type InboxQuery = QueryParams<'/api/v1/workbench/tasks', 'get'>;
export type Decision = Schemas['TaskCompletion']['decision'];

export const listInbox = (query: InboxQuery) => call('get', '/api/v1/workbench/tasks', { query });
export const claimTask = (id: number, body: RequestBody<'/api/v1/tasks/{id}/claim', 'post'>) =>
  call('post', '/api/v1/tasks/{id}/claim', { path: { id }, body });
export const completeTask = (id: number, body: RequestBody<'/api/v1/tasks/{id}/complete', 'post'>) =>
  call('post', '/api/v1/tasks/{id}/complete', { path: { id }, body });
export const transferTask = (id: number, body: RequestBody<'/api/v1/tasks/{id}/transfer', 'post'>) =>
  call('post', '/api/v1/tasks/{id}/transfer', { path: { id }, body });
