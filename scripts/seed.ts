import { parseArgs } from 'node:util';

import { Algorithm, hash } from '@node-rs/argon2';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

import { DataDirBusyError } from '@/database/data-dir-lock';
import { EmbeddedDatabase, IN_MEMORY } from '@/database/embedded-database';
import { applyMigrations } from '@/database/migrator';
import { connectionOptions } from '@/database/pg-connection';

/**
 * Demo data, the same every time for the same sizes (a seeded random generator):
 *   npm run db:seed -- [--users 200] [--posts 2000] [--saves 4000] [--chats 100] [--messages 2000]
 * Every seeded user's password is `password123`. Writes to DATABASE_URL, or to the embedded database
 * in DATA_DIR, which has one writer: while the server holds it, this refuses at once and names the
 * server's pid (stop it first). Large sizes load in batches of multi-row inserts.
 */
const BATCH = 5000;
const CITIES = [
  'Lisbon',
  'Porto',
  'Madrid',
  'Barcelona',
  'Valencia',
  'Paris',
  'Lyon',
  'Marseille',
  'Berlin',
  'Hamburg',
  'Munich',
  'Vienna',
  'Prague',
  'Warsaw',
  'Krakow',
  'Amsterdam',
  'Rotterdam',
  'Brussels',
  'Antwerp',
  'Dublin',
  'London',
  'Manchester',
  'Edinburgh',
  'Rome',
  'Milan',
  'Naples',
  'Turin',
  'Athens',
  'Stockholm',
  'Oslo',
  'Copenhagen',
  'Helsinki',
  'Zurich',
  'Geneva',
  'Budapest',
  'Bucharest',
  'Sofia',
  'Zagreb',
  'Ljubljana',
  'Seville',
];
// Rough centres, so map-box searches find posts where a city is.
const CENTRES: Record<string, [number, number]> = Object.fromEntries(
  CITIES.map((city, i) => [city, [36 + ((i * 7) % 24), -9 + ((i * 13) % 35)]]),
);
const STREETS = ['Rua', 'Avenida', 'Calle', 'Rue', 'Strasse', 'Via', 'Street', 'Road', 'Lane', 'Square'];
const NAMES = [
  'Flores',
  'Liberdade',
  'Mayor',
  'Victor Hugo',
  'Linden',
  'Roma',
  'High',
  'Mill',
  'Park',
  'Harbour',
];
const ADJECTIVES = [
  'Sunny',
  'Spacious',
  'Quiet',
  'Modern',
  'Charming',
  'Renovated',
  'Bright',
  'Cosy',
  'Elegant',
  'Central',
];
const KINDS = ['APARTMENT', 'HOUSE', 'CONDO', 'LAND'] as const;
const WORDS = [
  'garden',
  'balcony',
  'view',
  'garage',
  'terrace',
  'pool',
  'fireplace',
  'loft',
  'harbour',
  'park',
];

/** mulberry32: small, fast and deterministic. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(20261125);
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const YEAR_MS = 365 * 86_400_000;
const EPOCH = Date.parse('2026-01-01T00:00:00Z');

/** Ids whose UUID v7 time matches `createdAt` (id order is creation order, as in the app), deterministic. */
function idAt(time: number, sequence: number): string {
  const bytes = Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
  return uuidv7({ msecs: time, seq: sequence % 0x3ffff, random: bytes });
}

/**
 * Multi-row inserts of `BATCH` rows: one array per column, unnested server-side. A type `text[]` is
 * sent as its text form and cast back, since unnest would flatten a two-dimensional array.
 */
async function insert(
  client: pg.Client,
  table: string,
  columns: string[],
  types: string[],
  rows: unknown[][],
): Promise<void> {
  const aliases = columns.map((_, i) => `c${i}`);
  const select = types
    .map((type, i) => (type.endsWith('[]') ? `${aliases[i]}::${type}` : aliases[i]))
    .join(', ');
  const unnest = types.map((type, i) => `$${i + 1}::${type.endsWith('[]') ? 'text' : type}[]`).join(', ');
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const arrays = columns.map((_, c) => batch.map((row) => row[c]));
    await client.query(
      `INSERT INTO ${table} (${columns.join(', ')})
       SELECT ${select} FROM unnest(${unnest}) AS t(${aliases.join(', ')}) ON CONFLICT DO NOTHING`,
      arrays,
    );
  }
}

async function seed(client: pg.Client, sizes: Record<string, number>): Promise<void> {
  const passwordHash = await hash('password123', {
    algorithm: Algorithm.Argon2id,
    memoryCost: 19_456,
    timeCost: 2,
  });
  const started = Date.now();
  const log = (what: string): void =>
    console.log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const users: unknown[][] = [];
  const profiles: unknown[][] = [];
  for (let i = 0; i < sizes.users; i += 1) {
    const time = EPOCH - YEAR_MS + Math.floor((i / Math.max(1, sizes.users)) * YEAR_MS);
    const id = idAt(time, i);
    const created = new Date(time);
    users.push([
      id,
      `user${i}@example.com`,
      `user${i}`,
      passwordHash,
      `User ${i}`,
      i === 0 ? 'ADMIN' : 'USER',
      created,
      created,
    ]);
    if (random() < 0.7) {
      const city = pick(CITIES);
      profiles.push([
        idAt(time, i),
        id,
        `Hi, I am user ${i} from ${city}.`,
        null,
        int(18, 80),
        city,
        null,
        created,
        created,
      ]);
    }
  }
  await insert(
    client,
    'users',
    ['id', 'email', 'username', 'password_hash', 'name', 'role', 'created_at', 'updated_at'],
    ['uuid', 'text', 'text', 'text', 'text', '"Role"', 'timestamptz', 'timestamptz'],
    users,
  );
  await insert(
    client,
    'profiles',
    ['id', 'user_id', 'bio', 'avatar_url', 'age', 'location', 'website', 'created_at', 'updated_at'],
    ['uuid', 'uuid', 'text', 'text', 'int', 'text', 'text', 'timestamptz', 'timestamptz'],
    profiles,
  );
  log(`users: ${users.length}, profiles: ${profiles.length}`);

  const userIds = users.map((row) => row[0] as string);
  const postIds: string[] = [];
  for (let start = 0; start < sizes.posts; start += BATCH * 4) {
    const posts: unknown[][] = [];
    const details: unknown[][] = [];
    for (let i = start; i < Math.min(sizes.posts, start + BATCH * 4); i += 1) {
      const time = EPOCH - YEAR_MS + Math.floor((i / Math.max(1, sizes.posts)) * YEAR_MS);
      const id = idAt(time, i);
      const city = pick(CITIES);
      const [lat, lng] = CENTRES[city];
      const property = pick(KINDS);
      const type = random() < 0.5 ? 'BUY' : 'RENT';
      const bedroom = property === 'LAND' ? 0 : int(0, 6);
      const price = type === 'RENT' ? int(300, 5000) : int(50_000, 2_000_000);
      const created = new Date(time);
      postIds.push(id);
      posts.push([
        id,
        pick(userIds),
        `${pick(ADJECTIVES)} ${property.toLowerCase()} with ${pick(WORDS)} in ${city}`,
        price,
        `{"https://picsum.photos/seed/${i}/800/600"}`,
        `${int(1, 300)} ${pick(STREETS)} ${pick(NAMES)}`,
        city,
        bedroom,
        Math.max(0, Math.min(bedroom, int(1, 4))),
        lat + (random() - 0.5) * 0.2,
        lng + (random() - 0.5) * 0.2,
        type,
        property,
        created,
        created,
      ]);
      if (random() < 0.8) {
        details.push([
          idAt(time, i),
          id,
          `A ${pick(ADJECTIVES).toLowerCase()} home near the ${pick(WORDS)}.`,
          random() < 0.5 ? 'Owner pays' : 'Tenant pays',
          random() < 0.5 ? 'Pets allowed' : 'No pets',
          'Income 3x rent',
          int(20, 300),
          int(50, 3000),
          int(10, 1000),
          int(10, 2000),
          created,
          created,
        ]);
      }
    }
    await insert(
      client,
      'posts',
      [
        'id',
        'author_id',
        'title',
        'price',
        'images',
        'address',
        'city',
        'bedroom',
        'bathroom',
        'latitude',
        'longitude',
        'type',
        'property',
        'created_at',
        'updated_at',
      ],
      [
        'uuid',
        'uuid',
        'text',
        'bigint',
        'text[]',
        'text',
        'text',
        'int',
        'int',
        'float8',
        'float8',
        '"PostType"',
        '"PropertyType"',
        'timestamptz',
        'timestamptz',
      ],
      posts,
    );
    await insert(
      client,
      'post_details',
      [
        'id',
        'post_id',
        '"desc"',
        'utilities',
        'pet',
        'income',
        'size',
        'school',
        'bus',
        'restaurant',
        'created_at',
        'updated_at',
      ],
      [
        'uuid',
        'uuid',
        'text',
        'text',
        'text',
        'text',
        'int',
        'int',
        'int',
        'int',
        'timestamptz',
        'timestamptz',
      ],
      details,
    );
    log(`posts: ${Math.min(sizes.posts, start + BATCH * 4)}`);
  }

  const saves: unknown[][] = [];
  for (let i = 0; i < sizes.saves && postIds.length > 0; i += 1) {
    const time = EPOCH + i * 1000;
    saves.push([idAt(time, i), pick(userIds), pick(postIds), new Date(time)]);
  }
  await insert(
    client,
    'saved_posts',
    ['id', 'user_id', 'post_id', 'created_at'],
    ['uuid', 'uuid', 'uuid', 'timestamptz'],
    saves,
  );
  log(`saves: ${saves.length} (duplicates skipped)`);

  const chats: unknown[][] = [];
  const participants: unknown[][] = [];
  const chatMembers: string[][] = [];
  // One chat per pair of users (pair_key is unique): a pair drawn twice is drawn again, so no
  // participant row points at a chat that ON CONFLICT skipped.
  const pairs = new Set<string>();
  const maxChats = Math.min(sizes.chats, (userIds.length * (userIds.length - 1)) / 2);
  for (let i = 0; i < maxChats; i += 1) {
    let a: string;
    let b: string;
    do {
      a = pick(userIds);
      b = pick(userIds);
    } while (a === b || pairs.has([a, b].sort().join(':')));
    const pairKey = [a, b].sort().join(':');
    pairs.add(pairKey);
    const time = EPOCH + i * 60_000;
    const id = idAt(time, i);
    chats.push([id, pairKey, new Date(time), new Date(time), new Date(time)]);
    chatMembers.push([a, b]);
    participants.push([id, a, new Date(time)], [id, b, new Date(time)]);
  }
  await insert(
    client,
    'chats',
    ['id', 'pair_key', 'last_activity_at', 'created_at', 'updated_at'],
    ['uuid', 'text', 'timestamptz', 'timestamptz', 'timestamptz'],
    chats,
  );
  await insert(
    client,
    'chat_participants',
    ['chat_id', 'user_id', 'joined_at'],
    ['uuid', 'uuid', 'timestamptz'],
    participants,
  );

  const messages: unknown[][] = [];
  for (let i = 0; i < sizes.messages && chats.length > 0; i += 1) {
    const chatIndex = int(0, chats.length - 1);
    const time = EPOCH + 86_400_000 + i * 1000;
    messages.push([
      idAt(time, i),
      chats[chatIndex][0],
      pick(chatMembers[chatIndex]),
      `Message ${i}: is it still available?`,
      new Date(time),
    ]);
  }
  await insert(
    client,
    'messages',
    ['id', 'chat_id', 'sender_id', 'text', 'created_at'],
    ['uuid', 'uuid', 'uuid', 'text', 'timestamptz'],
    messages,
  );
  // Each chat's last message and activity, as the app keeps them.
  await client.query(`
    UPDATE chats c SET last_message_id = m.id, last_message_text = m.text, last_message_at = m.created_at,
           last_message_user_id = m.sender_id, last_activity_at = m.created_at
      FROM (SELECT DISTINCT ON (chat_id) * FROM messages ORDER BY chat_id, created_at DESC, id DESC) m
     WHERE m.chat_id = c.id`);
  log(`chats: ${chats.length}, messages: ${messages.length}`);
  await client.query('ANALYZE');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '200' },
      posts: { type: 'string', default: '2000' },
      saves: { type: 'string', default: '4000' },
      chats: { type: 'string', default: '100' },
      messages: { type: 'string', default: '2000' },
    },
  });
  const sizes = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Number(value)]));
  if (Object.values(sizes).some((size) => !Number.isInteger(size) || size < 0)) {
    console.error('Sizes must be whole numbers.');
    process.exit(2);
  }
  const url = process.env.DATABASE_URL;
  const embedded = url ? undefined : await EmbeddedDatabase.start(process.env.DATA_DIR ?? '.data', 2);
  const connection = url ? connectionOptions(url) : embedded!.connection;
  if (embedded && (process.env.DATA_DIR ?? '.data') === IN_MEMORY) {
    console.warn('Seeding an in-memory database: the data is gone when this command ends.');
  }
  await applyMigrations(connection);
  const client = new pg.Client(connection);
  await client.connect();
  try {
    await seed(client, sizes);
  } finally {
    await client.end();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof DataDirBusyError ? error.message : error);
  process.exit(1);
});
