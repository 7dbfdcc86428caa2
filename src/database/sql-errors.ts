/** The SQLSTATE of an error the database raised (pg sets `code`), undefined for any other error. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A row names one (a post, a user) that a concurrent statement deleted. */
export const FOREIGN_KEY_VIOLATION = '23503';
