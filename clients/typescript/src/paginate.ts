import type { Client, ClientPathsWithMethod, MaybeOptionalInit, MethodResponse } from 'openapi-fetch';

import { unwrap } from './problem';
import type { paths } from './schema';

type ApiClient = Client<paths>;

/** Every path with a GET. */
export type GetPath = ClientPathsWithMethod<ApiClient, 'get'>;

/** The success body of `GET path`. */
export type GetData<P extends GetPath> = MethodResponse<ApiClient, 'get', P>;

interface PageShape {
  data: readonly unknown[];
  nextCursor: string | null;
}

/** The GET paths that answer a page (`{ data, nextCursor }`), found from the schema. */
export type PagedPath = { [P in GetPath]: GetData<P> extends PageShape ? P : never }[GetPath];

/**
 * Drops index signatures: the document types `Page.data` items as any object, so a list's items come
 * out as `Record<string, unknown> & PostSummary`, which would accept any property name.
 */
type KnownKeys<T> = T extends object
  ? { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] }
  : T;

/** One item of the list at `path`. */
export type PageItem<P extends PagedPath> = KnownKeys<GetData<P>['data'][number]>;

/** The options of `GET path` (query filters, limit, a starting cursor, headers). */
export type PageInit<P extends PagedPath> = MaybeOptionalInit<paths[P], 'get'>;

interface LooseInit {
  params?: { query?: Record<string, unknown>; [location: string]: unknown };
  [option: string]: unknown;
}

type LooseGet = (
  path: string,
  init: LooseInit,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * Every item of a list, across pages, fetched one page at a time as the loop asks:
 * `for await (const post of paginate(client, '/v1/posts', { params: { query: { city, limit: 50 } } }))`.
 * A failed page throws `ProblemError`; breaking out of the loop fetches no more pages.
 */
export async function* paginate<P extends PagedPath>(
  client: ApiClient,
  path: P,
  ...[init]: undefined extends PageInit<P> ? [init?: PageInit<P>] : [init: PageInit<P>]
): AsyncGenerator<PageItem<P>, void, undefined> {
  const options = (init ?? {}) as LooseInit;
  const get = client.GET as unknown as LooseGet;
  let cursor = options.params?.query?.['cursor'];
  for (;;) {
    const query = { ...options.params?.query, ...(cursor === undefined ? {} : { cursor }) };
    const page = unwrap(await get(path, { ...options, params: { ...options.params, query } })) as PageShape;
    for (const item of page.data) {
      yield item as PageItem<P>;
    }
    if (page.nextCursor === null) {
      return;
    }
    cursor = page.nextCursor;
  }
}
