/**
 * A fake of a class for unit tests: only the methods given exist; calling anything else fails the
 * test loudly instead of returning undefined.
 */
export function strictFake<T extends object>(methods: Partial<T>): T {
  return new Proxy(methods, {
    get(target, property) {
      if (property in target) {
        return target[property as keyof typeof target];
      }
      if (property === 'then') {
        return undefined;
      }
      throw new Error(`Unexpected call: ${String(property)} was not set up in this test`);
    },
  }) as T;
}
