import { createHmac, timingSafeEqual } from 'node:crypto';

import { InvalidInputError } from '../errors/domain-error';
import { PageDto, toPage } from './page.dto';

export type CursorValue = string | number;

/** Where a page starts in a list ordered by (a sort key, id): the sort key and id of the last row before it. */
export interface Position<Key> {
  key: Key;
  id: string;
}

/**
 * The order of one list, as its cursors hold it: the list's name (a cursor of another list or order
 * is refused), how a row's position is read, and how that position travels in a cursor and is
 * checked coming back. Build one with `Keyset.byTime`, `Keyset.byInteger` or `Keyset.byId`.
 */
export interface Keyset<Row, At> {
  readonly kind: string;
  positionOf(row: Row): At;
  write(position: At): CursorValue[];
  /** The position the values of a cursor hold; undefined when they are not one. */
  read(values: CursorValue[]): At | undefined;
}

function timeOf(value: CursorValue | undefined): Date | undefined {
  const time = typeof value === 'string' ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

export const Keyset = {
  /** Ordered by a time, then id (newest first, say). */
  byTime<Row>(kind: string, positionOf: (row: Row) => Position<Date>): Keyset<Row, Position<Date>> {
    return {
      kind,
      positionOf,
      write: ({ key, id }) => [key.toISOString(), id],
      read: (values) => {
        const [key, id] = values;
        const time = timeOf(key);
        return values.length === 2 && time && typeof id === 'string' ? { key: time, id } : undefined;
      },
    };
  },

  /** Ordered by a whole number (a price, say), then id. */
  byInteger<Row>(kind: string, positionOf: (row: Row) => Position<number>): Keyset<Row, Position<number>> {
    return {
      kind,
      positionOf,
      write: ({ key, id }) => [key, id],
      read: (values) => {
        const [key, id] = values;
        return values.length === 2 &&
          typeof key === 'number' &&
          Number.isSafeInteger(key) &&
          typeof id === 'string'
          ? { key, id }
          : undefined;
      },
    };
  },

  /** Ordered by a unique id alone. */
  byId<Row>(kind: string, idOf: (row: Row) => string): Keyset<Row, string> {
    return {
      kind,
      positionOf: idOf,
      write: (id) => [id],
      read: (values) => (values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined),
    };
  },
};

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

  /** The position a page starts after: undefined for the first page; InvalidCursorError for a bad cursor. */
  after<Row, At>(keyset: Keyset<Row, At>, cursor: string | undefined): At | undefined {
    if (cursor === undefined) {
      return undefined;
    }
    const position = keyset.read(this.decode(keyset.kind, cursor));
    if (position === undefined) {
      throw new InvalidCursorError();
    }
    return position;
  }

  /** Cuts a page from rows fetched after `after` (`limit + 1` of them), with the cursor of the next one. */
  toPage<Row, At, T>(keyset: Keyset<Row, At>, rows: Row[], limit: number, map: (row: Row) => T): PageDto<T> {
    return toPage(rows, limit, (row) => this.encode(keyset.kind, keyset.write(keyset.positionOf(row))), map);
  }

  /** One page of a list: decodes the cursor, fetches the rows after it (`limit + 1`) and cuts the page. */
  async page<Row, At, T>(
    keyset: Keyset<Row, At>,
    page: { limit: number; cursor?: string },
    fetch: (after: At | undefined) => Promise<Row[]>,
    map: (row: Row) => T,
  ): Promise<PageDto<T>> {
    const rows = await fetch(this.after(keyset, page.cursor));
    return this.toPage(keyset, rows, page.limit, map);
  }

  encode(kind: string, position: CursorValue[]): string {
    const payload = Buffer.from(JSON.stringify([kind, ...position])).toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The values a cursor holds; throws InvalidCursorError unless it was made by `encode(kind, …)`. */
  decode(kind: string, cursor: string): CursorValue[] {
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
    if (!Array.isArray(decoded) || decoded[0] !== kind) {
      throw new InvalidCursorError();
    }
    const position: unknown[] = decoded.slice(1);
    if (!position.every(isCursorValue)) {
      throw new InvalidCursorError();
    }
    return position;
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
  }
}
