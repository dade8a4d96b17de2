// Process definitions (/api/v1/processes): BPMN XML in, versions out.
import { call, fill, request, type ResponseOf, type Schemas } from './client';

export type ProcessVersion = Schemas['ProcessVersion'];

export const listProcesses = () => call('get', '/api/v1/processes');
// The BPMN XML of a version, at the bpmn_url the server gives it.
export const processXml = (v: ProcessVersion) => request<string>(v.bpmn_url, { text: true, headers: { Accept: 'application/xml' } });
// Saves `xml` as the next version of process `key`.
export const publishProcess = (key: string, xml: string) =>
  request<ResponseOf<'/api/v1/processes/{key}', 'put'>>(fill('/api/v1/processes/{key}', { key }), {
    method: 'PUT',
    raw: true,
    body: xml,
    headers: { 'Content-Type': 'application/xml', Accept: 'application/json' },
  });
