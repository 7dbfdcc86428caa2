import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import pg from 'pg';

/** The local PostgreSQL server (trust auth); override with BENCH_PG_SERVER. */
export const PG_SERVER = process.env.BENCH_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const ROOT = path.resolve(__dirname, '..');

export interface SeedSizes {
  users: number;
  posts: number;
  saves: number;
  chats: number;
  messages: number;
}

export function databaseUrl(name: string): string {
  return `${PG_SERVER}/${name}`;
}

/** One database per scale, named after it (and always containing `bench`). */
export function databaseName(sizes: SeedSizes): string {
  const { users, posts, saves, chats, messages } = sizes;
  return `bench_u${users}_p${posts}_s${saves}_c${chats}_m${messages}`;
}

/** What the seeded data depends on: the sizes, the migrations and the seeder itself. */
function fingerprint(sizes: SeedSizes): string {
  const hash = createHash('sha256').update(JSON.stringify(sizes));
  const migrations = path.join(ROOT, 'prisma', 'migrations');
  for (const entry of readdirSync(migrations).sort()) {
    const file = path.join(migrations, entry, 'migration.sql');
    try {
      hash.update(entry).update(readFileSync(file));
    } catch {
      // not a migration folder (migration_lock.toml)
    }
  }
  hash.update(readFileSync(path.join(ROOT, 'scripts', 'seed.ts')));
  return hash.digest('hex').slice(0, 16);
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The fingerprint a database was seeded with, or null when it does not exist or was never finished. */
async function seededFingerprint(name: string): Promise<string | null> {
  const exists = await withClient(databaseUrl('postgres'), async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  });
  if (!exists) {
    return null;
  }
  return withClient(databaseUrl(name), async (client) => {
    const { rows } = await client
      .query<{ fingerprint: string }>(
        `SELECT fingerprint FROM bench_seed WHERE to_regclass('bench_seed') IS NOT NULL`,
      )
      .catch(() => ({ rows: [] as { fingerprint: string }[] }));
    return rows[0]?.fingerprint ?? null;
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** Seeds the embedded database in `dataDir` (no server may have it open) with the project's seeder. */
export function seedEmbedded(sizes: SeedSizes, dataDir: string): Promise<void> {
  const flags = Object.entries(sizes).flatMap(([key, value]) => [`--${key}`, String(value)]);
  return run('npm', ['run', '--silent', 'db:seed', '--', ...flags], { DATA_DIR: dataDir, DATABASE_URL: '' });
}

/**
 * A database holding exactly this seed, with the current migrations: reused when its marker says so
 * (writes of earlier runs, such as sent messages and login sessions, stay), else dropped and seeded
 * again with the project's seeder. Returns its URL.
 */
export async function ensureSeeded(sizes: SeedSizes, fresh: boolean): Promise<string> {
  const name = databaseName(sizes);
  const url = databaseUrl(name);
  const wanted = fingerprint(sizes);
  if (!fresh && (await seededFingerprint(name)) === wanted) {
    console.log(`database ${name}: already seeded at this scale, reused`);
    return url;
  }
  console.log(`database ${name}: seeding ${JSON.stringify(sizes)}`);
  await withClient(databaseUrl('postgres'), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const flags = Object.entries(sizes).flatMap(([key, value]) => [`--${key}`, String(value)]);
  await run('npm', ['run', '--silent', 'db:seed', '--', ...flags], { DATABASE_URL: url });
  await withClient(url, async (client) => {
    await client.query('CREATE TABLE bench_seed (fingerprint text NOT NULL, seeded_at timestamptz NOT NULL)');
    await client.query('INSERT INTO bench_seed VALUES ($1, now())', [wanted]);
  });
  return url;
}

/**
 * Ids and people of the seeded data that the scenarios use: only rows the seeder made (older than
 * the marker), never those that earlier runs added, such as the realtime scenario's registered users
 * (their passwords are not the seeder's).
 */
export interface Fixtures {
  city: string;
  postIds: string[];
  /**
   * The chat with the most seeded messages (messages sent by earlier runs do not count, so the choice
   * stays the same from run to run) and the email of one of its participants (scenario 3).
   */
  readChat: { id: string; email: string; messages: number };
  /** Other chats, each with a different participant, to spread the writes of scenario 4. */
  writeChats: { id: string; email: string }[];
  /** The user with the most saves (scenario 5). */
  saver: { email: string; saves: number };
  /** Who logs in for the login scenario. */
  loginEmail: string;
  postgresVersion: string;
}

export async function loadFixtures(url: string, writers: number): Promise<Fixtures> {
  return withClient(url, async (client) => {
    const one = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T> => {
      const { rows } = await client.query<T>(sql, params);
      if (!rows[0]) {
        throw new Error(`The seeded data has nothing for: ${sql}`);
      }
      return rows[0];
    };
    const { city } = await one<{ city: string }>(
      `SELECT city FROM posts GROUP BY city ORDER BY (city = 'Lisbon') DESC, count(*) DESC LIMIT 1`,
    );
    const { rows: posts } = await client.query<{ id: string }>(
      `SELECT p.id FROM posts p JOIN post_details d ON d.post_id = p.id ORDER BY md5(p.id::text) LIMIT 100`,
    );
    const readChat = await one<{ id: string; email: string; messages: number }>(
      `SELECT m.chat_id AS id, count(*)::int AS messages,
              (SELECT u.email FROM chat_participants cp JOIN users u ON u.id = cp.user_id
                WHERE cp.chat_id = m.chat_id ORDER BY u.email LIMIT 1) AS email
         FROM messages m
        WHERE m.created_at < (SELECT seeded_at FROM bench_seed)
        GROUP BY m.chat_id ORDER BY count(*) DESC, m.chat_id LIMIT 1`,
    );
    const { rows: candidates } = await client.query<{ id: string; email: string }>(
      `SELECT cp.chat_id AS id, u.email FROM chat_participants cp JOIN users u ON u.id = cp.user_id
         JOIN chats c ON c.id = cp.chat_id
        WHERE cp.chat_id <> $1 AND c.created_at < (SELECT seeded_at FROM bench_seed)
        ORDER BY cp.chat_id, u.email LIMIT $2`,
      [readChat.id, writers * 8],
    );
    const writeChats: { id: string; email: string }[] = [];
    for (const candidate of candidates) {
      const taken = writeChats.some((chat) => chat.id === candidate.id || chat.email === candidate.email);
      if (!taken && writeChats.length < writers) {
        writeChats.push(candidate);
      }
    }
    const saver = await one<{ email: string; saves: number }>(
      `SELECT u.email, count(*)::int AS saves FROM saved_posts s JOIN users u ON u.id = s.user_id
        GROUP BY u.email ORDER BY count(*) DESC, u.email LIMIT 1`,
    );
    const { email: loginEmail } = await one<{ email: string }>(
      `SELECT email FROM users
        WHERE role = 'USER' AND created_at < (SELECT seeded_at FROM bench_seed) ORDER BY email LIMIT 1`,
    );
    const { version } = await one<{ version: string }>("SELECT current_setting('server_version') AS version");
    if (posts.length === 0 || writeChats.length === 0) {
      throw new Error('The seeded data has no posts with details or no second chat');
    }
    return {
      city,
      postIds: posts.map((post) => post.id),
      readChat,
      writeChats,
      saver,
      loginEmail,
      postgresVersion: version,
    };
  });
}
