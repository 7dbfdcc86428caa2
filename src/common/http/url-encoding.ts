/**
 * Whether a URL's query string has a percent-encoding that is not UTF-8 (`%FF`, `%C3%28`) or not an
 * escape at all (`%zz`): the router refuses the same in the path. Decoded only when there is a '%'.
 */
export function hasInvalidQueryEncoding(url: string): boolean {
  const query = url.indexOf('?');
  if (query === -1 || !url.includes('%', query)) {
    return false;
  }
  try {
    decodeURIComponent(url.slice(query + 1));
    return false;
  } catch {
    return true;
  }
}
