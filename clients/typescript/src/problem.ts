/** A field that failed validation, named as in the request (`email`, `detail.size`, `Idempotency-Key`). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * RFC 9457 problem details, the body of every non-2xx answer of the API. Written by hand rather than
 * taken from the generated schema so that a renamed component does not break callers.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The path of the request that failed. */
  instance?: string;
  /** Stable machine-readable code, such as `VALIDATION_FAILED` or `POST_NOT_FOUND`. */
  code: string;
  /** As in the `X-Request-Id` response header and the server logs. */
  requestId?: string;
  /** One entry per invalid field (validation errors only). */
  errors?: FieldError[];
}

/** A non-2xx answer, thrown by `unwrap` and the page iterator. */
export class ProblemError extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: FieldError[];

  constructor(
    readonly problem: Problem,
    /** The answer it came from (its headers, such as `Retry-After`); its body is already read. */
    readonly response?: Response,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'ProblemError';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    this.instance = problem.instance;
    this.requestId = problem.requestId;
    this.errors = problem.errors ?? [];
  }

  /** The message of the validation error on `field`, if there is one. */
  fieldError(field: string): string | undefined {
    return this.errors.find((error) => error.field === field)?.message;
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) {
    return false;
  }
  const { status, code, title } = body as Record<string, unknown>;
  return typeof status === 'number' && typeof code === 'string' && typeof title === 'string';
}

/** The problem of an error answer; one made up from the status when the body is not a problem (a proxy's 502). */
export function toProblem(body: unknown, response: Response): Problem {
  if (isProblem(body)) {
    return body;
  }
  const title = response.statusText || `HTTP ${response.status}`;
  return {
    type: 'about:blank',
    title,
    status: response.status,
    detail: typeof body === 'string' && body.length > 0 ? body.slice(0, 500) : title,
    code: `HTTP_${response.status}`,
  };
}

/** What every openapi-fetch call resolves to. */
export interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The success body of a result; `undefined` for operations that answer 204. */
export type Unwrapped<R extends FetchResult> = [Exclude<R['data'], undefined>] extends [never]
  ? undefined
  : Exclude<R['data'], undefined>;

/**
 * The data of a successful call, or a thrown `ProblemError`:
 * `const post = unwrap(await client.GET('/v1/posts/{id}', { params: { path: { id } } }))`.
 */
export function unwrap<R extends FetchResult>(result: R): Unwrapped<R> {
  if (result.error !== undefined || !result.response.ok) {
    throw new ProblemError(toProblem(result.error, result.response), result.response);
  }
  return result.data as Unwrapped<R>;
}
