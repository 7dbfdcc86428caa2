import { OpenApiContract } from './openapi-contract';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A JSON value to send. */
  body?: unknown;
  /** Bytes to send as they are (malformed or oversized bodies). */
  rawBody?: string | Buffer;
  token?: string;
  /**
   * Why this request breaks openapi.json on purpose (hostile input, a validation error, an unknown
   * route...). A marked request is sent as it is; its response is still checked.
   */
  invalid?: string;
}

let contract: OpenApiContract | undefined;

/**
 * Calls the running server over HTTP, holding both sides to openapi.json, so the document and the
 * server cannot disagree in either direction:
 * - every request must be one the document describes: a documented method and path, path and query
 *   parameters of their schemas (read from the URL as the document's style says: numbers from text,
 *   repeated names for arrays), no query parameter it does not list, the headers it declares, and a
 *   body of a documented content type matching the schema (objects closed: no field it does not list).
 *   Otherwise the call throws, naming the operation and what is wrong, before anything is sent;
 * - every response must have a documented status and a body matching its schema.
 *
 * A test that sends an invalid request on purpose says so and why, with `invalid`:
 *   api.post('/v1/posts', { price: -1 }, { token, invalid: 'a negative price' })
 * Mark only requests that are invalid by the test's intent: when a request meant to be valid fails
 * the check, the document (or the test) is what needs fixing.
 */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  get<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request('GET', path, options);
  }

  post<T = any>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request('POST', path, { ...options, body });
  }

  put<T = any>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request('PUT', path, { ...options, body });
  }

  patch<T = any>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request('PATCH', path, { ...options, body });
  }

  delete<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request('DELETE', path, options);
  }

  async request<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
    }
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) {
      headers.authorization = `Bearer ${options.token}`;
    }
    const url = new URL(path, this.baseUrl);
    contract ??= OpenApiContract.load();
    if (options.invalid === undefined) {
      const problems = contract.checkRequest({ method, url, headers, body });
      if (problems.length > 0) {
        throw new Error(
          `Request breaks openapi.json:\n  ${problems.join('\n  ')}\n` +
            `(a request invalid on purpose says why: { invalid: '...' })`,
        );
      }
    } else if (options.invalid.trim() === '') {
      throw new Error(`${method} ${path}: say why the request is invalid ({ invalid: '...' })`);
    }
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const parsed: unknown = contentType?.includes('json') && text ? JSON.parse(text) : text;
    const problems = contract.check({
      method,
      path: url.pathname,
      status: response.status,
      contentType,
      body: parsed,
      text,
    });
    if (problems.length > 0) {
      throw new Error(
        `Response breaks openapi.json:\n  ${problems.join('\n  ')}\nbody: ${text.slice(0, 500)}`,
      );
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
}
