import pg from 'pg';

import { connectionOptions } from '@/database/pg-connection';
import { PostSort } from '@/modules/posts/post-enums';
import { fewMatchesQuery, listPostsQuery, PostFilter, PostPosition } from '@/modules/posts/posts.repository';

/**
 * Shows the plan of every kind of post list query on the data in DATABASE_URL (seed it first with
 * `npm run db:seed`), with EXPLAIN ANALYZE. With --strict, fails when any of them reads the posts
 * table sequentially, or walks an index past more than SCAN_LIMIT rows that its filter drops: at a
 * million posts every filter and sort must be served by an index.
 */
const SCAN_LIMIT = 50_000;

interface Scenario {
  name: string;
  filter: PostFilter;
  sort: PostSort;
  after?: (client: pg.Client) => Promise<PostPosition>;
}

const firstOf =
  (sql: string) =>
  async (client: pg.Client): Promise<PostPosition> => {
    // pg reads a time as a Date and an int8 as its digits.
    const { rows } = await client.query<{ key: Date | string; id: string }>(sql);
    const { key, id } = rows[0];
    return key instanceof Date ? { key, id } : { key: Number(key), id };
  };

const SCENARIOS: Scenario[] = [
  { name: 'newest', filter: {}, sort: 'newest' },
  { name: 'price_asc', filter: {}, sort: 'price_asc' },
  { name: 'price_desc', filter: {}, sort: 'price_desc' },
  { name: 'city, newest', filter: { city: 'lisbon' }, sort: 'newest' },
  { name: 'city, price_asc', filter: { city: 'Lisbon' }, sort: 'price_asc' },
  { name: 'city, price_desc', filter: { city: 'Lisbon' }, sort: 'price_desc' },
  { name: 'type, newest', filter: { type: 'RENT' }, sort: 'newest' },
  { name: 'property, newest', filter: { property: 'LAND' }, sort: 'newest' },
  { name: 'price range, price_asc', filter: { minPrice: 1000, maxPrice: 2000 }, sort: 'price_asc' },
  { name: 'price range, newest', filter: { minPrice: 1000, maxPrice: 2000 }, sort: 'newest' },
  { name: 'bedroom + bathroom, newest', filter: { bedroom: 3, bathroom: 2 }, sort: 'newest' },
  { name: 'text search (common word), newest', filter: { q: 'garden' }, sort: 'newest' },
  { name: 'text search (two words), newest', filter: { q: 'lisbon garden' }, sort: 'newest' },
  { name: 'text search (no match), newest', filter: { q: 'zanzibar' }, sort: 'newest' },
  { name: 'text search, price_asc', filter: { q: 'terrace' }, sort: 'price_asc' },
  {
    name: 'map box, newest',
    filter: { bbox: { minLng: -9.2, minLat: 38.6, maxLng: -9.0, maxLat: 38.8 } },
    sort: 'newest',
  },
  { name: 'author, newest', filter: {}, sort: 'newest' },
  {
    name: 'newest, deep page (cursor)',
    filter: {},
    sort: 'newest',
    after: firstOf(
      `SELECT created_at AS key, id FROM posts ORDER BY created_at DESC, id DESC OFFSET 500000 LIMIT 1`,
    ),
  },
  {
    name: 'city + price_asc, deep page (cursor)',
    filter: { city: 'Lisbon' },
    sort: 'price_asc',
    after: firstOf(
      `SELECT price::int8 AS key, id FROM posts WHERE city_key = 'lisbon' ORDER BY price, id OFFSET 10000 LIMIT 1`,
    ),
  },
];

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('Set DATABASE_URL to a seeded database (npm run db:seed).');
    process.exit(2);
  }
  const strict = process.argv.includes('--strict');
  const client = new pg.Client(connectionOptions(url));
  await client.connect();
  const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM posts');
  const author = await client.query<{ author_id: string }>('SELECT author_id FROM posts LIMIT 1');
  console.log(`posts: ${rows[0].count}\n`);
  const scanned: string[] = [];
  for (const scenario of SCENARIOS) {
    const filter = scenario.name.startsWith('author')
      ? { authorId: author.rows[0]?.author_id }
      : scenario.filter;
    const after = scenario.after ? await scenario.after(client) : undefined;
    let few = false;
    if (filter.q) {
      const check = fewMatchesQuery(filter.q);
      few = (await client.query<{ few: boolean }>(check.text, check.values)).rows[0].few;
    }
    const query = listPostsQuery(filter, scenario.sort, 20, after, undefined, few);
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF) ${query.text}`,
      query.values,
    );
    const lines = plan.rows.map((row) => row['QUERY PLAN']);
    const time = lines.find((line) => line.startsWith('Execution Time')) ?? '';
    const removed = Math.max(
      0,
      ...lines.map((line) => Number(/Rows Removed by Filter: (\d+)/.exec(line)?.[1] ?? 0)),
    );
    const seq = lines.some((line) => /Seq Scan on posts/.test(line)) || removed > SCAN_LIMIT;
    if (seq) {
      scanned.push(scenario.name);
    }
    console.log(`== ${scenario.name}: ${time}${seq ? '  [SCANS posts]' : ''}`);
    console.log(
      lines
        .filter((line) => !line.startsWith('Planning') && !line.startsWith('Execution'))
        .map((line) => `   ${line}`)
        .join('\n'),
    );
  }
  await client.end();
  console.log(
    scanned.length ? `\nReads most of posts: ${scanned.join('; ')}` : '\nEvery query is served by an index.',
  );
  if (strict && scanned.length) {
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
