import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../errors/domain-error';
import { PageDto, toPage } from './page.dto';

export type CursorValue = string | number;

export class InvalidCursorError extends InvalidInputError {
  constructor() {
    super('INVALID_CURSOR', 'The cursor is not valid for this list: start again without one.');
  }
}

const SIGNATURE_BYTES = 12;

function isCursorValue(value: unknown): value is CursorValue {
  return typeof value === 'string' || typeof value === 'number';
}

/**
 * Opaque keyset cursors: the position (sort key and id) of the last row of a page, tagged with the
 * list and order it belongs to and signed, so a cursor from another list, another sort or an edited
 * one is refused instead of silently paging from a wrong place.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(kind: string, position: CursorValue[]): string {
    const payload = Buffer.from(JSON.stringify([kind, ...position])).toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The position a cursor holds; throws InvalidCursorError unless it was made by `encode(kind, …)`. */
  decode(kind: string, cursor: string, arity: number): CursorValue[] {
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) {
      throw new InvalidCursorError();
    }
    const given = Buffer.from(signature, 'base64url');
    const expected = this.sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError();
    }
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError();
    }
    if (!Array.isArray(decoded) || decoded[0] !== kind || decoded.length !== arity + 1) {
      throw new InvalidCursorError();
    }
    const position: unknown[] = decoded.slice(1);
    if (!position.every(isCursorValue)) {
      throw new InvalidCursorError();
    }
    return position;
  }

  /**
   * One page of a list ordered by a single unique key (an id): decodes the cursor, fetches the rows
   * after it (`limit + 1` of them) and cuts the page, with the cursor of the next one.
   */
  async pageByKey<R, T>(
    kind: string,
    page: { limit: number; cursor?: string },
    fetch: (afterKey: string | undefined) => Promise<R[]>,
    keyOf: (row: R) => string,
    map: (row: R) => T,
  ): Promise<PageDto<T>> {
    const afterKey = page.cursor ? String(this.decode(kind, page.cursor, 1)[0]) : undefined;
    const rows = await fetch(afterKey);
    return toPage(rows, page.limit, (row) => this.encode(kind, [keyOf(row)]), map);
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
  }
}
