import { CursorCodec, InvalidCursorError, Keyset } from './cursor-codec';

describe(CursorCodec.name, () => {
  const codec = new CursorCodec('a-secret-used-only-by-this-test-suite');

  it('gives back the position it encoded', () => {
    const cursor = codec.encode('posts:newest', ['2026-11-25T10:00:00.000Z', 'abc']);
    expect(codec.decode('posts:newest', cursor)).toEqual(['2026-11-25T10:00:00.000Z', 'abc']);
  });

  it('refuses a cursor of another list or sort', () => {
    const cursor = codec.encode('posts:price_asc', [100, 'abc']);
    expect(() => codec.decode('posts:newest', cursor)).toThrow(InvalidCursorError);
  });

  it('refuses an edited payload', () => {
    const cursor = codec.encode('posts:price_asc', [100, 'abc']);
    const [, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify(['posts:price_asc', 1, 'abc'])).toString('base64url');
    expect(() => codec.decode('posts:price_asc', `${forged}.${signature}`)).toThrow(InvalidCursorError);
  });

  it('refuses a cursor signed with another secret', () => {
    const other = new CursorCodec('another-secret-of-another-deployment');
    expect(() => codec.decode('k', other.encode('k', [1]))).toThrow(InvalidCursorError);
  });

  it.each(['', 'garbage', 'a.b.c', '.', '%%%.%%%'])('refuses the malformed cursor %p', (cursor) => {
    expect(() => codec.decode('k', cursor)).toThrow(InvalidCursorError);
  });
});

describe('CursorCodec with a Keyset', () => {
  const codec = new CursorCodec('a-secret-used-only-by-this-test-suite');
  const LETTERS = Keyset.byId<string>('letters', (row) => row);
  const rows = ['e', 'd', 'c', 'b', 'a'];
  const fetch = (limit: number) => (after: string | undefined) =>
    Promise.resolve(rows.filter((row) => after === undefined || row < after).slice(0, limit + 1));

  it('walks a list page by page without repeating or skipping', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await codec.page(LETTERS, { limit: 2, cursor }, fetch(2), (row) => row);
      seen.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(rows);
  });

  it('refuses a cursor of another list', async () => {
    const cursor = codec.encode('other', ['c']);
    await expect(codec.page(LETTERS, { limit: 2, cursor }, fetch(2), (row) => row)).rejects.toThrow(
      InvalidCursorError,
    );
  });

  interface Row {
    at: Date;
    price: number;
    id: string;
  }
  const BY_TIME = Keyset.byTime<Row>('by-time', (row) => ({ key: row.at, id: row.id }));
  const BY_PRICE = Keyset.byInteger<Row>('by-price', (row) => ({ key: row.price, id: row.id }));
  const row: Row = { at: new Date('2026-11-25T10:00:00.000Z'), price: 250_000, id: 'abc' };
  const cursorOf = <At>(keyset: Keyset<Row, At>): string =>
    codec.toPage(keyset, [row, row], 1, (r) => r).nextCursor!;

  it('gives back the typed position of the last row of a page', () => {
    expect(codec.after(BY_TIME, cursorOf(BY_TIME))).toEqual({ key: row.at, id: 'abc' });
    expect(codec.after(BY_PRICE, cursorOf(BY_PRICE))).toEqual({ key: 250_000, id: 'abc' });
    expect(codec.after(BY_TIME, undefined)).toBeUndefined();
  });

  it.each([
    ['a time that is not one', 'by-time', BY_TIME, ['not-a-time', 'abc']],
    ['a number for a time', 'by-time', BY_TIME, [1, 'abc']],
    ['a number for an id', 'by-time', BY_TIME, ['2026-11-25T10:00:00.000Z', 7]],
    ['too few values', 'by-time', BY_TIME, ['2026-11-25T10:00:00.000Z']],
    ['too many values', 'by-time', BY_TIME, ['2026-11-25T10:00:00.000Z', 'abc', 'x']],
    ['a fraction for a price', 'by-price', BY_PRICE, [1.5, 'abc']],
    ['a string for a price', 'by-price', BY_PRICE, ['100', 'abc']],
  ] as const)('refuses a signed cursor holding %s', (_case, kind, keyset, values) => {
    const cursor = codec.encode(kind, [...values]);
    expect(() => codec.after(keyset as Keyset<Row, unknown>, cursor)).toThrow(InvalidCursorError);
  });
});
