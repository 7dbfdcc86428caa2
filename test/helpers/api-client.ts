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
}

let contract: OpenApiContract | undefined;

/**
 * Calls the running server over HTTP. Every response is checked against openapi.json (status
 * documented, body matching its schema) and a mismatch fails the test that made the call.
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
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const parsed: unknown = contentType?.includes('json') && text ? JSON.parse(text) : text;
    contract ??= OpenApiContract.load();
    const problems = contract.check({
      method,
      path: new URL(path, this.baseUrl).pathname,
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
