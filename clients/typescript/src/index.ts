import createClient, { type Client } from 'openapi-fetch';

import type { paths } from './schema';

export { IDEMPOTENCY_KEY_HEADER, idempotencyKey, wasReplayed } from './idempotency';
export {
  type GetData,
  type GetPath,
  type PagedPath,
  type PageInit,
  type PageItem,
  paginate,
} from './paginate';
export { type FieldError, type Problem, ProblemError, toProblem, unwrap, type Unwrapped } from './problem';
export type { components, operations, paths } from './schema';

/** A session's pair: the bearer access token and the refresh token that renews it. */
export interface Tokens {
  access: string;
  refresh: string;
}

export interface ListingsClientOptions {
  /** Where the API is, such as `https://api.example.com` (paths start with `/v1`). */
  baseUrl: string;
  /** Sends every request (default: the global fetch). */
  fetch?: (request: Request) => Promise<Response>;
  /** A signed-in session; `setTokens` changes it later (after login, on logout). */
  tokens?: Tokens;
  /**
   * Called with the new pair after the client refreshed it (store it: the old refresh token no longer
   * works), and with null when the server refused the refresh token (the session is over: sign in again).
   */
  onTokens?: (tokens: Tokens | null) => void;
  /** An integrator's `X-API-Key`, sent when there are no tokens. */
  apiKey?: string;
}

/** The openapi-fetch client of the API (`GET`, `POST`, ... typed from the schema) and its session. */
export interface ListingsClient extends Client<paths> {
  /** The pair requests are sent with now (after any refresh), or null. */
  readonly tokens: Tokens | null;
  setTokens(tokens: Tokens | null): void;
}

/** RFC 6750: a bearer token was sent and refused (expired, revoked, malformed): refreshing may help. */
function isInvalidToken(response: Response): boolean {
  return (
    response.status === 401 &&
    /\berror\s*=\s*"?invalid_token"?/i.test(response.headers.get('www-authenticate') ?? '')
  );
}

/**
 * A typed client of the Listings API. It signs requests with the access token (or the API key),
 * and when one is answered 401 `invalid_token` it exchanges the refresh token once (concurrent
 * failures wait for the same exchange), hands the new pair to `onTokens` and sends the request
 * again once. If the refresh fails, the original 401 is what the call returns.
 */
export function createListingsClient(options: ListingsClientOptions): ListingsClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  // Refreshes go out without credentials and without the retry logic below.
  const anonymous = createClient<paths>({ baseUrl: options.baseUrl, fetch: send });
  let tokens: Tokens | null = options.tokens ?? null;
  let refreshing: Promise<void> | undefined;

  async function refresh(spent: Tokens): Promise<void> {
    try {
      const { data, response } = await anonymous.POST('/v1/auth/refresh', {
        body: { refreshToken: spent.refresh },
      });
      if (tokens !== spent) {
        return; // replaced meanwhile (setTokens): keep what the caller chose
      }
      if (data) {
        tokens = { access: data.accessToken, refresh: data.refreshToken };
        options.onTokens?.(tokens);
      } else if (response.status === 400 || response.status === 401) {
        tokens = null;
        options.onTokens?.(null);
      }
    } catch {
      // A network failure: keep the pair for a later try; the caller gets the original 401.
    }
  }

  function renew(spent: Tokens): Promise<void> {
    refreshing ??= refresh(spent).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function authorizedFetch(request: Request): Promise<Response> {
    const sent = tokens;
    if (request.headers.has('authorization')) {
      return send(request); // the caller chose the credential for this request
    }
    if (!sent) {
      if (options.apiKey !== undefined && !request.headers.has('x-api-key')) {
        request.headers.set('x-api-key', options.apiKey);
      }
      return send(request);
    }
    const retry = request.clone();
    request.headers.set('authorization', `Bearer ${sent.access}`);
    const response = await send(request);
    if (!isInvalidToken(response)) {
      return response;
    }
    if (tokens === sent) {
      await renew(sent);
    }
    const current = tokens;
    if (current === null || current === sent) {
      return response;
    }
    await response.body?.cancel().catch(() => undefined);
    retry.headers.set('authorization', `Bearer ${current.access}`);
    return send(retry);
  }

  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: authorizedFetch });
  return {
    ...client,
    get tokens() {
      return tokens;
    },
    setTokens(next: Tokens | null) {
      tokens = next;
    },
  };
}
