// The templates of case documents (/api/v1/document-templates): the acceptance notice, the
// notice of non-acceptance and the decisions of approval and denial a case is issued (a case
// lists its own in `documents`, api/cases.ts), which the system administrator edits per item
// or as the default for every item.
import { call, type RequestBody, type Schemas } from './client';

export type DocumentKind = Schemas['DocumentKind'];
export type DocumentTemplate = Schemas['DocumentTemplate'];
export type DocumentTemplateInput = RequestBody<'/api/v1/document-templates/{kind}', 'put'>;
export type Placeholder = Schemas['DocumentTemplateList']['placeholders'][number];

export const DOCUMENT_KINDS: readonly DocumentKind[] = ['acceptance', 'non_acceptance', 'approval', 'denial'];

export const listDocumentTemplates = () => call('get', '/api/v1/document-templates');
// Creates (version 0) or replaces, at the version read, the template of `kind` for
// `body.item_code` ("" = the default for every item).
export const putDocumentTemplate = (kind: DocumentKind, body: DocumentTemplateInput) =>
  call('put', '/api/v1/document-templates/{kind}', { path: { kind }, body });
// Removes a stored template at the version read: the default (or the built-in) applies again.
export const deleteDocumentTemplate = (kind: DocumentKind, itemCode: string, version: number) =>
  call('delete', '/api/v1/document-templates/{kind}', { path: { kind }, query: { item_code: itemCode, version } });
