// The one place the portal talks to the server. Every failure becomes an ApiError that
// carries the RFC 9457 problem (title, detail, field errors) for ProblemAlert to show.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function toProblem(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && body.title) return body as Problem;
  } catch {
    /* not JSON */
  }
  return { title: res.statusText || 'Error', status: res.status, detail: text.slice(0, 300) };
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: boolean; // body is sent as is (a string)
  text?: boolean; // the response body is returned as text
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    if (opts.raw) {
      body = opts.body as string;
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError({ title: 'Network error', status: 0, detail: String(e) });
  }
  if (!res.ok) throw new ApiError(await toProblem(res));
  if (res.status === 204) return undefined as T;
  if (opts.text) return (await res.text()) as T;
  const type = res.headers.get('content-type') || '';
  if (!type.includes('json')) return (await res.text()) as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string) => request<T>(path),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body: body ?? {} }),
  put: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: 'PUT', body, headers }),
  del: <T>(path: string, body?: unknown) => request<T>(path, { method: 'DELETE', body }),
};

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

export interface Material {
  id: string;
  sha256: string;
  size: number;
  media_type: string;
  filename: string;
}

// Uploads one file as the raw request body (POST /api/v1/materials?filename=), reporting
// progress from 0 to 100. XMLHttpRequest because fetch has no upload progress.
// `enterprise` (a credit code): uploaded in that enterprise's name, as its operator.
export function uploadMaterial(file: File, onProgress: (percent: number) => void, enterprise = ''): Promise<Material> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const forEnterprise = enterprise ? '&enterprise=' + encodeURIComponent(enterprise) : '';
    xhr.open('POST', '/api/v1/materials?filename=' + encodeURIComponent(file.name) + forEnterprise);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve(body as Material);
      } else {
        const p = body as Problem | null;
        reject(new ApiError(p && p.title ? p : { title: xhr.statusText || 'Upload failed', status: xhr.status }));
      }
    };
    xhr.onerror = () => reject(new ApiError({ title: 'Network error', status: 0 }));
    xhr.send(file);
  });
}
