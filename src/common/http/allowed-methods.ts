/**
 * The methods each route path answers, learnt as the routes register, so that a request with a
 * method a path does not have is a 405 with `Allow` (RFC 9110 15.5.6) instead of a 404.
 */
export class AllowedMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  /** A route as Fastify registers it: `GET /v1/posts/:id` (HEAD comes with GET). */
  add(methods: string | string[], url: string): void {
    let known = this.byUrl.get(url);
    if (!known) {
      known = new Set();
      this.byUrl.set(url, known);
      const pattern = url
        .split('/')
        .map((segment) =>
          segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      this.routes.push({ pattern: new RegExp(`^${pattern}/?$`), methods: known });
    }
    for (const method of [methods].flat()) {
      known.add(method.toUpperCase());
    }
  }

  /** The methods `path` answers, sorted; empty when no route has that path. */
  of(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (route.pattern.test(path)) {
        route.methods.forEach((method) => methods.add(method));
      }
    }
    return [...methods].sort();
  }
}
