import pg from 'pg';

/** Connection settings of a PostgreSQL URL as discrete fields, so `database` cannot be overridden by a URL. */
export function connectionOptions(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new Error(`Not a PostgreSQL URL: ${parsed.protocol}//…`);
  }
  const ssl = parsed.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(parsed.hostname) || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    ssl: ssl && ssl !== 'disable' ? { rejectUnauthorized: ssl === 'verify-full' } : undefined,
  };
}

/** The name of the database a URL points at. */
export function databaseName(url: string): string {
  return connectionOptions(url).database ?? '';
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const TEXT = 25;
const TEXT_ARRAY = 1009;
// Catalog types the driver adapter cannot read (Prisma issue #27403): "char", name and name[].
const CATALOG_TYPES = new Map<number, number>([
  [18, TEXT],
  [19, TEXT],
  [1003, TEXT_ARRAY],
]);

let patched = false;

/**
 * Makes pg report catalog-only column types as text, which Prisma's schema engine needs when it
 * runs over the driver adapter (migrations). The application's own queries never select them.
 */
export function patchCatalogTypes(): void {
  if (patched) {
    return;
  }
  patched = true;
  const remap = (result: unknown): unknown => {
    const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
    for (const field of fields ?? []) {
      field.dataTypeID = CATALOG_TYPES.get(field.dataTypeID) ?? field.dataTypeID;
    }
    return result;
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply below
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function patchedQuery(this: pg.Client, ...args: unknown[]) {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) =>
        (callback as (e: unknown, r: unknown) => void)(error, error ? result : remap(result));
      return query.apply(this, args);
    }
    const returned = query.apply(this, args);
    return returned instanceof Promise ? returned.then(remap) : returned;
  } as typeof pg.Client.prototype.query;
}
