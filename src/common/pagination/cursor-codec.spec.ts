import { CursorCodec, InvalidCursorError } from './cursor-codec';

describe(CursorCodec.name, () => {
  const codec = new CursorCodec('a-secret-used-only-by-this-test-suite');

  it('gives back the position it encoded', () => {
    const cursor = codec.encode('posts:newest', ['2026-11-25T10:00:00.000Z', 'abc']);
    expect(codec.decode('posts:newest', cursor, 2)).toEqual(['2026-11-25T10:00:00.000Z', 'abc']);
  });

  it('refuses a cursor of another list or sort', () => {
    const cursor = codec.encode('posts:price_asc', [100, 'abc']);
    expect(() => codec.decode('posts:newest', cursor, 2)).toThrow(InvalidCursorError);
  });

  it('refuses an edited payload', () => {
    const cursor = codec.encode('posts:price_asc', [100, 'abc']);
    const [, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify(['posts:price_asc', 1, 'abc'])).toString('base64url');
    expect(() => codec.decode('posts:price_asc', `${forged}.${signature}`, 2)).toThrow(InvalidCursorError);
  });

  it('refuses a cursor signed with another secret', () => {
    const other = new CursorCodec('another-secret-of-another-deployment');
    expect(() => codec.decode('k', other.encode('k', [1]), 1)).toThrow(InvalidCursorError);
  });

  it.each(['', 'garbage', 'a.b.c', '.', '%%%.%%%'])('refuses the malformed cursor %p', (cursor) => {
    expect(() => codec.decode('k', cursor, 1)).toThrow(InvalidCursorError);
  });

  it('refuses a cursor with the wrong number of values', () => {
    expect(() => codec.decode('k', codec.encode('k', [1, 2]), 1)).toThrow(InvalidCursorError);
  });
});

describe('CursorCodec.pageByKey', () => {
  const codec = new CursorCodec('a-secret-used-only-by-this-test-suite');
  const rows = ['e', 'd', 'c', 'b', 'a'];
  const fetch = (limit: number) => (after: string | undefined) =>
    Promise.resolve(rows.filter((row) => after === undefined || row < after).slice(0, limit + 1));

  it('walks a list page by page without repeating or skipping', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await codec.pageByKey(
        'letters',
        { limit: 2, cursor },
        fetch(2),
        (row) => row,
        (row) => row,
      );
      seen.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(rows);
  });

  it('refuses a cursor of another list', async () => {
    const cursor = codec.encode('other', ['c']);
    await expect(
      codec.pageByKey(
        'letters',
        { limit: 2, cursor },
        fetch(2),
        (row) => row,
        (row) => row,
      ),
    ).rejects.toThrow(InvalidCursorError);
  });
});
