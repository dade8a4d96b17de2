// The region tree (/api/v1/regions): provinces, the children of a region, the path to one.
import { call, type Schemas } from './client';

export type Region = Schemas['Region'];

export const listProvinces = () => call('get', '/api/v1/regions');
export const listChildRegions = (code: string) => call('get', '/api/v1/regions/{code}/children', { path: { code } });
export const regionPath = (code: string) => call('get', '/api/v1/regions/{code}/path', { path: { code } });
