// How the portal talks to the server: request() (fetch with the session's CSRF token) and
// call(), the same typed from docs/openapi.json (src/api/schema.d.ts, `npm run gen:api`).
// Every failure becomes an ApiError that carries the RFC 9457 problem (title, detail, field
// errors) for ProblemAlert to show, in words problems.ts chooses. Only the modules beside this
// file (one per resource) name server paths; views and components call them.
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

export type FieldError = Schemas['FieldError'];
// The document's Problem, loosened for the problems the portal makes up itself: a failure
// that never reached the server (status 0, "Network error") or an error body that is not
// problem+json (no type). The portal adds what it knows of the exchange: the request's
// method (and its path as `instance` when the server gave none), Retry-After in seconds
// (429 and 503) and X-Request-Id, which support finds the server's log lines by.
export type Problem = Omit<Schemas['Problem'], 'type' | 'status'> & {
  type?: string;
  status: number;
  method?: string;
  retryAfter?: number;
  requestId?: string;
};

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
// The CSRF header every request but GET and HEAD carries (for XMLHttpRequest uploads).
export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

// Retry-After (RFC 9110 10.2.3) in seconds: delay-seconds or an HTTP date.
function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

// The problem of a failed answer to `method url`: its problem+json body, or one made from
// the status when the body is not one. `header` reads a response header (fetch's Headers or
// an XMLHttpRequest's).
export function problemOf(method: string, url: string, status: number, statusText: string, text: string, header: (name: string) => string | null): Problem {
  let problem: Problem = { title: statusText || 'Error', status, detail: text.slice(0, 300) };
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && body.title) problem = body as Problem;
  } catch {
    /* not JSON */
  }
  problem.method = method;
  problem.instance ??= url.split('?')[0];
  const retryAfter = retryAfterSeconds(header('Retry-After'));
  if (retryAfter !== undefined) problem.retryAfter = retryAfter;
  const requestId = header('X-Request-Id');
  if (requestId) problem.requestId = requestId;
  return problem;
}

// The problem of a request that got no answer.
export function networkProblem(method: string, url: string, e?: unknown): Problem {
  return { title: 'Network error', status: 0, detail: e === undefined ? undefined : String(e), method, instance: url.split('?')[0] };
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
  // The server writes texts for people (case messages) in the reader's language: the
  // portal's, which the document's lang attribute follows (i18n.ts).
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': document.documentElement.lang || 'zh-CN',
    ...opts.headers,
  };
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    if (opts.raw) {
      body = opts.body as string;
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
  }
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, csrfHeaders());
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(networkProblem(method, path, e));
  }
  if (!res.ok) throw new ApiError(problemOf(method, path, res.status, res.statusText, await res.text(), (name) => res.headers.get(name)));
  if (res.status === 204) return undefined as T;
  if (opts.text) return (await res.text()) as T;
  const type = res.headers.get('content-type') || '';
  if (!type.includes('json')) return (await res.text()) as T;
  return (await res.json()) as T;
}

// "?a=1&b=x" of the parameters that have a value ("" when none has).
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// The operations of docs/openapi.json, by method and path template.
type Method = 'get' | 'put' | 'post' | 'delete';
type Route<M extends Method> = { [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O } ? O : never;
type ParamsOf<O> = O extends { parameters: infer X } ? X : never;
// Path parameters by name; a value may be a number (ids the server sends as integers).
type PathOf<O> = ParamsOf<O> extends { path: infer X } ? { [K in keyof X]: string | number } : never;
type QueryOf<O> = ParamsOf<O> extends { query?: infer X } ? NonNullable<X> : never;
type JsonBodyOf<O> = O extends { requestBody?: infer B } ? (NonNullable<B> extends { content: { 'application/json': infer J } } ? J : never) : never;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : R extends { content?: never } ? void : never;
type SuccessOf<O> = O extends { responses: infer R } ? JsonOf<R[Extract<keyof R, 200 | 201 | 202 | 204>]> : never;
// A member that is optional when its type is never (nothing to give) or all-optional.
type Maybe<K extends string, T> = [T] extends [never] ? { [_ in K]?: never } : object extends T ? { [_ in K]?: T } : { [_ in K]: T };

export type CallOptions<P extends keyof paths, M extends Method> = Maybe<'path', PathOf<Operation<P, M>>> &
  Maybe<'query', QueryOf<Operation<P, M>>> &
  Maybe<'body', JsonBodyOf<Operation<P, M>>>;
// The JSON body of an operation's success response (void for 204), its query and its body.
export type ResponseOf<P extends keyof paths, M extends Method> = SuccessOf<Operation<P, M>>;
export type QueryParams<P extends keyof paths, M extends Method> = QueryOf<Operation<P, M>>;
export type RequestBody<P extends keyof paths, M extends Method> = JsonBodyOf<Operation<P, M>>;

// The path template with its {parameters} filled in, each URI-encoded.
export function fill(template: keyof paths, params: Record<string, string | number> = {}): string {
  return (template as string).replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(String(params[name]));
  });
}

// One JSON operation of the document: `call('get', '/api/v1/cases/{no}', { path: { no } })`.
// A POST without a body sends {} (as the portal always has).
// The options may be left out when none of them is required.
export function call<M extends Method, P extends Route<M>>(
  method: M,
  template: P,
  ...[opts]: object extends CallOptions<P, M> ? [CallOptions<P, M>?] : [CallOptions<P, M>]
): Promise<ResponseOf<P, M>> {
  const o = (opts ?? {}) as {
    path?: Record<string, string | number>;
    query?: Record<string, string | number | boolean | undefined | null>;
    body?: unknown;
  };
  const url = fill(template, o.path) + query(o.query ?? {});
  const body = o.body === undefined && method === 'post' ? {} : o.body;
  return request<ResponseOf<P, M>>(url, { method: method.toUpperCase(), body });
}

// The API's documentation page (the portal's footer links to it).
export const apiDocsUrl: keyof paths = '/api/docs';
