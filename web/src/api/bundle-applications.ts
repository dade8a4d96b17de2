// Applications for a "one thing" bundle (/api/v1/bundle-applications): one case per item.
import { call, type RequestBody, type Schemas } from './client';

export type BundleApplication = Schemas['BundleApplication'];

export const submitBundleApplication = (body: RequestBody<'/api/v1/bundle-applications', 'post'>) =>
  call('post', '/api/v1/bundle-applications', { body });
export const getBundleApplication = (id: string) => call('get', '/api/v1/bundle-applications/{id}', { path: { id } });
