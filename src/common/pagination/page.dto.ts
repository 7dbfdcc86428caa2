import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The envelope of every list: one page of `data`, and the cursor of the next page. */
@ApiSchema({ name: 'Page' })
export class PageDto<T> {
  /** The items of this page; each list documents their type. */
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  data!: T[];

  /** Pass as `cursor` to get the next page; null on the last page. */
  @ApiProperty({ type: String, nullable: true, example: null })
  nextCursor!: string | null;
}

/**
 * Cuts a page from rows fetched with one extra row past `limit`: the extra row, when present, proves
 * there is a next page, which starts after the last row kept.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (row: R) => string,
  map: (row: R) => T,
): PageDto<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { data: kept.map(map), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
