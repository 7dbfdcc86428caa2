/** The body of a post the write scenarios publish (bench/photos.ts, bench/webhooks.ts). */
export function benchPost(
  n: number,
  title: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    title: `${title} ${n}`,
    price: 1000,
    images: [],
    address: `${n} Bench Street`,
    city: 'Benchville',
    bedroom: 1,
    bathroom: 1,
    latitude: 38.7,
    longitude: -9.1,
    type: 'RENT',
    property: 'HOUSE',
    ...overrides,
  };
}
