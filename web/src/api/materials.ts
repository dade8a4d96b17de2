// Uploaded materials (/api/v1/materials): the upload itself, and the user's earlier uploads.
import { ApiError, csrfHeaders, fill, query, call, networkProblem, problemOf, type QueryParams, type Schemas } from './client';

export type UploadedMaterial = Schemas['UploadedMaterial'];

export const listMyMaterials = (q: QueryParams<'/api/v1/me/materials', 'get'>) => call('get', '/api/v1/me/materials', { query: q });

// Uploads one file as the raw request body (POST /api/v1/materials?filename=), reporting
// progress from 0 to 100. XMLHttpRequest because fetch has no upload progress.
// `enterprise` (a credit code): uploaded in that enterprise's name, as its operator.
export function uploadMaterial(file: File, onProgress: (percent: number) => void, enterprise = ''): Promise<UploadedMaterial> {
  const params: QueryParams<'/api/v1/materials', 'post'> = { filename: file.name, enterprise };
  const url = fill('/api/v1/materials') + query(params);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        try {
          resolve(JSON.parse(xhr.responseText) as UploadedMaterial);
        } catch (e) {
          reject(e);
        }
      } else {
        reject(new ApiError(problemOf('POST', url, xhr.status, xhr.statusText || 'Upload failed', xhr.responseText, (name) => xhr.getResponseHeader(name))));
      }
    };
    xhr.onerror = () => reject(new ApiError(networkProblem('POST', url)));
    xhr.send(file);
  });
}
