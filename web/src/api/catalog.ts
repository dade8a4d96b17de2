// The catalog (/api/v1/catalog): items and their versions, "one thing" bundles, the changes
// that publish new versions, and the process an item runs.
import { call, type QueryParams, type RequestBody, type Schemas } from './client';

export type CatalogItem = Schemas['CatalogItem'];
export type CatalogMaterial = Schemas['Material'];
export type Hall = Schemas['Hall'];
export type SearchHit = Schemas['SearchHit'];
export type FacetCount = Schemas['FacetCount'];
export type SearchFacets = Schemas['SearchFacets'];
export type ItemView = Schemas['ItemView'];
export type Bundle = Schemas['Bundle'];
export type CatalogChange = Schemas['CatalogChange'];
export type Implementation = Schemas['Implementation'];
export type ItemSearch = QueryParams<'/api/v1/catalog/items', 'get'>;
export type CatalogChangeInput = RequestBody<'/api/v1/catalog/changes', 'post'>;

export const searchItems = (query: ItemSearch) => call('get', '/api/v1/catalog/items', { query });
export const getItem = (code: string, query: QueryParams<'/api/v1/catalog/items/{code}', 'get'> = {}) =>
  call('get', '/api/v1/catalog/items/{code}', { path: { code }, query });
export const getItemVersion = (code: string, version: number) =>
  call('get', '/api/v1/catalog/items/{code}/versions/{version}', { path: { code, version } });
export const listItemImplementations = (code: string) => call('get', '/api/v1/catalog/items/{code}/implementations', { path: { code } });
export const setItemProcess = (code: string, body: RequestBody<'/api/v1/catalog/items/{code}/process', 'put'>) =>
  call('put', '/api/v1/catalog/items/{code}/process', { path: { code }, body });

export const listBundles = () => call('get', '/api/v1/catalog/bundles');
export const getBundle = (code: string) => call('get', '/api/v1/catalog/bundles/{code}', { path: { code } });

export const listChanges = (query: QueryParams<'/api/v1/catalog/changes', 'get'>) => call('get', '/api/v1/catalog/changes', { query });
export const createChange = (body: CatalogChangeInput) => call('post', '/api/v1/catalog/changes', { body });
export const submitChange = (id: number) => call('post', '/api/v1/catalog/changes/{id}/submit', { path: { id } });
export const withdrawChange = (id: number) => call('post', '/api/v1/catalog/changes/{id}/withdraw', { path: { id } });
export const approveChange = (id: number, body: RequestBody<'/api/v1/catalog/changes/{id}/approve', 'post'>) =>
  call('post', '/api/v1/catalog/changes/{id}/approve', { path: { id }, body });
export const rejectChange = (id: number, body: RequestBody<'/api/v1/catalog/changes/{id}/reject', 'post'>) =>
  call('post', '/api/v1/catalog/changes/{id}/reject', { path: { id }, body });
