/**
 * The reference the project is measured against: plain Fastify and `pg` with hand-written SQL, one
 * statement per request where the work allows it (authentication included), answering the same JSON
 * as the project for the routes the benchmark drives. Not a product: no OpenAPI, no metrics, no
 * request ids, errors reduced to the problem-details fields clients branch on.
 *
 * Environment: DATABASE_URL, JWT_SECRET, PORT, DB_POOL_SIZE (10, as the project),
 * JWT_ACCESS_TTL_SECONDS (900), SESSION_TTL_DAYS (30).
 * Self-contained on purpose: bench/run.ts transpiles this one file and runs it with plain node.
 */
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';

import { verify as verifyPassword } from '@node-rs/argon2';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

const env = process.env;
const SECRET = env.JWT_SECRET ?? '';
// Made once: given a string, jsonwebtoken tries it as a PEM public key (and throws) on every call.
const JWT_KEY = createSecretKey(SECRET, 'utf8');
const ACCESS_TTL = Number(env.JWT_ACCESS_TTL_SECONDS ?? 900);
const SESSION_TTL_DAYS = Number(env.SESSION_TTL_DAYS ?? 30);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// int8 as a JS number (prices are at most 10^12, well within 2^53), as the project's mapper does.
pg.types.setTypeParser(20, Number);
const url = new URL(env.DATABASE_URL ?? '');
const pool = new pg.Pool({
  host: url.hostname,
  port: Number(url.port || 5432),
  user: decodeURIComponent(url.username) || undefined,
  password: decodeURIComponent(url.password) || undefined,
  database: decodeURIComponent(url.pathname.slice(1)),
  max: Number(env.DB_POOL_SIZE ?? 10),
});

/**
 * Statements with a fixed text (a few variants at most) run as named prepared statements, as the
 * project's SqlClient runs its fixed ones: each connection parses and plans them once. The list, whose
 * text follows its filters, is not prepared here either.
 */
const statementNames = new Map<string, string>();
function prepared<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `reference_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return pool.query<R>({ name, text, values });
}

// ---- cursors and tokens, as src/common/pagination/cursor-codec.ts and src/modules/auth/tokens.ts

const CURSOR_KEY = createHmac('sha256', SECRET).update('cursor').digest('hex');
const REFRESH_KEY = createHmac('sha256', SECRET).update('refresh-token').digest();

function encodeCursor(kind: string, position: (string | number)[]): string {
  const payload = Buffer.from(JSON.stringify([kind, ...position])).toString('base64url');
  const signature = createHmac('sha256', CURSOR_KEY).update(payload).digest().subarray(0, 12);
  return `${payload}.${signature.toString('base64url')}`;
}

/** The [time, id] a cursor of `kind` holds; null when it is not one this server (or the project) made. */
function decodeCursor(kind: string, cursor: string): [string, string] | null {
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length > 0) {
    return null;
  }
  const expected = createHmac('sha256', CURSOR_KEY).update(payload).digest().subarray(0, 12);
  if (expected.toString('base64url') !== signature) {
    return null;
  }
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value[0] === kind) {
      const [, at, id] = value as unknown[];
      if (typeof at === 'string' && typeof id === 'string' && UUID.test(id) && !isNaN(Date.parse(at))) {
        return [at, id];
      }
    }
  } catch {
    // falls through
  }
  return null;
}

function issueRefreshToken(sessionId: string): { token: string; hash: string } {
  const body = `${sessionId}.0.${randomBytes(32).toString('base64url')}`;
  const signature = createHmac('sha256', REFRESH_KEY).update(body).digest().subarray(0, 16);
  const token = `${body}.${signature.toString('base64url')}`;
  return { token, hash: createHash('sha256').update(token).digest('hex') };
}

interface Claims {
  sub: string;
  sid: string;
}

/** The claims of a valid bearer token (HS256, not expired, typ access); null otherwise. */
function bearerClaims(request: FastifyRequest): Claims | null {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) {
    return null;
  }
  try {
    const claims = jwt.verify(header.slice(7), JWT_KEY, { algorithms: ['HS256'] }) as Partial<
      Claims & { typ: string; exp: number }
    >;
    const valid = claims.typ === 'access' && typeof claims.exp === 'number' && claims.sid && claims.sub;
    return valid && UUID.test(claims.sid!) && UUID.test(claims.sub!)
      ? { sub: claims.sub!, sid: claims.sid! }
      : null;
  } catch {
    return null;
  }
}

/**
 * The caller of a statement: the session check the project makes on every authenticated request,
 * written as a CTE so it travels in the same statement as the work. $1 = session id, $2 = user id.
 */
const CALLER = `caller AS (
  SELECT s.user_id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now())`;

// ---- row shapes

const POST_COLUMNS = `p.id, p.title, p.price, p.images, p.address, p.city, p.bedroom, p.bathroom,
  p.latitude, p.longitude, p.type::text AS type, p.property::text AS property, p.account_id,
  p.created_at, p.updated_at, u.id AS author_id, u.username AS author_username, u.name AS author_name,
  u.avatar AS author_avatar, u.created_at AS author_created_at,
  (SELECT ph.thumb_key FROM photos ph WHERE ph.post_id = p.id ORDER BY ph.position LIMIT 1) AS cover_key`;

/** Where the project serves stored photos (local storage). */
const mediaUrl = (key: unknown): string => `/media/${String(key)}`;

type Row = Record<string, unknown>;

function postSummary(row: Row): Row {
  return {
    id: row.id,
    title: row.title,
    price: row.price,
    images: row.images,
    address: row.address,
    city: row.city,
    bedroom: row.bedroom,
    bathroom: row.bathroom,
    latitude: row.latitude,
    longitude: row.longitude,
    type: row.type,
    property: row.property,
    accountId: row.account_id,
    author: {
      id: row.author_id,
      username: row.author_username,
      name: row.author_name,
      avatar: row.author_avatar,
      createdAt: row.author_created_at,
    },
    coverPhotoUrl: row.cover_key === null ? null : mediaUrl(row.cover_key),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function message(row: Row): Row {
  return {
    id: row.id,
    chatId: row.chat_id,
    senderId: row.sender_id,
    text: row.text,
    createdAt: row.created_at,
  };
}

function page(rows: Row[], limit: number, cursorOf: (row: Row) => string, map: (row: Row) => Row): Row {
  const kept = rows.slice(0, limit);
  return { data: kept.map(map), nextCursor: rows.length > limit ? cursorOf(kept[kept.length - 1]) : null };
}

// ---- errors: the fields of the project's problem details that clients branch on

function problem(reply: FastifyReply, status: number, code: string, detail: string): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: code, status, detail, code });
}

const unauthenticated = (reply: FastifyReply) =>
  problem(reply, 401, 'INVALID_ACCESS_TOKEN', 'The access token is missing, invalid or expired.');
const notFound = (reply: FastifyReply, code: string) => problem(reply, 404, code, 'Not found.');
const invalid = (reply: FastifyReply, detail: string) => problem(reply, 400, 'VALIDATION_FAILED', detail);

/** `?limit=` as the project reads it (default 20, 1 to 100); null when invalid. */
function limitOf(query: Record<string, string | undefined>): number | null {
  if (query.limit === undefined) {
    return 20;
  }
  const limit = Number(query.limit);
  return Number.isInteger(limit) && limit >= 1 && limit <= 100 ? limit : null;
}

// ---- routes

const app = Fastify({ logger: false });

type Query = Record<string, string | undefined>;

app.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok', checks: { database: { status: 'up' } } };
});

/** Public search; this reference knows the city filter and the default order (newest). */
app.get<{ Querystring: Query }>('/v1/posts', async (request, reply) => {
  const limit = limitOf(request.query);
  const city = request.query.city?.trim();
  if (limit === null || (city !== undefined && (city.length < 1 || city.length > 100))) {
    return invalid(reply, 'Invalid query.');
  }
  const after = request.query.cursor ? decodeCursor('posts:newest', request.query.cursor) : undefined;
  if (after === null) {
    return problem(reply, 400, 'INVALID_CURSOR', 'The cursor is not valid for this list.');
  }
  const params: unknown[] = [limit + 1];
  // Hidden posts and those of suspended authors are withheld from everyone (the indexes start with it).
  const conditions: string[] = ['p.visible'];
  if (city) {
    params.push(city);
    conditions.push(`p.city_key = lower($${params.length})`);
  }
  if (after) {
    params.push(after[0], after[1]);
    conditions.push(`(p.created_at, p.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  const { rows } = await pool.query<Row>(
    `SELECT ${POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id
      ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY p.created_at DESC, p.id DESC LIMIT $1`,
    params,
  );
  return page(
    rows,
    limit,
    (row) => encodeCursor('posts:newest', [(row.created_at as Date).toISOString(), row.id as string]),
    postSummary,
  );
});

/** One post with detail and author, as an anonymous caller sees it. */
app.get<{ Params: { id: string } }>('/v1/posts/:id', async (request, reply) => {
  if (!UUID.test(request.params.id)) {
    return invalid(reply, 'id must be a UUID');
  }
  const { rows } = await prepared<Row>(
    `SELECT ${POST_COLUMNS}, d.post_id AS detail_post_id, d."desc", d.utilities, d.pet, d.income, d.size,
            d.school, d.bus, d.restaurant,
            COALESCE((SELECT json_agg(json_build_object('id', ph.id, 'position', ph.position, 'width', ph.width,
                        'height', ph.height, 'displayKey', ph.display_key, 'thumbKey', ph.thumb_key)
                        ORDER BY ph.position)
                        FROM photos ph WHERE ph.post_id = p.id), '[]'::json) AS photos
       FROM posts p JOIN users u ON u.id = p.author_id LEFT JOIN post_details d ON d.post_id = p.id
      WHERE p.id = $1 AND p.visible`,
    [request.params.id],
  );
  const row = rows[0];
  if (!row) {
    return notFound(reply, 'POST_NOT_FOUND');
  }
  const detail =
    row.detail_post_id === null
      ? null
      : {
          desc: row.desc,
          utilities: row.utilities,
          pet: row.pet,
          income: row.income,
          size: row.size,
          school: row.school,
          bus: row.bus,
          restaurant: row.restaurant,
        };
  const photos = (row.photos as Row[]).map((photo) => ({
    id: photo.id,
    url: mediaUrl(photo.displayKey),
    thumbnailUrl: mediaUrl(photo.thumbKey),
    width: photo.width,
    height: photo.height,
    position: photo.position,
  }));
  return { ...postSummary(row), photos, detail };
});

/** A chat's messages, newest first: session check, membership and the page in one statement. */
app.get<{ Params: { id: string }; Querystring: Query }>('/v1/chats/:id/messages', async (request, reply) => {
  const claims = bearerClaims(request);
  if (!claims) {
    return unauthenticated(reply);
  }
  const limit = limitOf(request.query);
  if (!UUID.test(request.params.id) || limit === null) {
    return invalid(reply, 'Invalid request.');
  }
  const after = request.query.cursor ? decodeCursor('messages:newest', request.query.cursor) : undefined;
  if (after === null) {
    return problem(reply, 400, 'INVALID_CURSOR', 'The cursor is not valid for this list.');
  }
  const params: unknown[] = [claims.sid, claims.sub, request.params.id, limit + 1];
  if (after) {
    params.push(after[0], after[1]);
  }
  const { rows } = await prepared<Row>(
    `WITH ${CALLER},
     member AS (SELECT 1 FROM chat_participants cp JOIN caller c ON c.user_id = cp.user_id WHERE cp.chat_id = $3)
     SELECT EXISTS (SELECT 1 FROM caller) AS authenticated, EXISTS (SELECT 1 FROM member) AS participant, m.*
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (
         SELECT msg.id, msg.chat_id, msg.sender_id, msg.text, msg.created_at FROM messages msg
          WHERE msg.chat_id = $3 AND EXISTS (SELECT 1 FROM member)
                ${after ? 'AND (msg.created_at, msg.id) < ($5::timestamptz, $6::uuid)' : ''}
          ORDER BY msg.created_at DESC, msg.id DESC LIMIT $4) m ON true`,
    params,
  );
  if (!rows[0].authenticated) {
    return unauthenticated(reply);
  }
  if (!rows[0].participant) {
    return notFound(reply, 'CHAT_NOT_FOUND');
  }
  return page(
    rows[0].id === null ? [] : rows,
    limit,
    (row) => encodeCursor('messages:newest', [(row.created_at as Date).toISOString(), row.id as string]),
    message,
  );
});

/**
 * Sends a message: the sender's read mark (proving membership), the message and the chat's last
 * message, in one statement (data-modifying CTEs commit or fail together).
 */
app.post<{ Params: { id: string }; Body: { text?: unknown } }>(
  '/v1/chats/:id/messages',
  async (request, reply) => {
    const claims = bearerClaims(request);
    if (!claims) {
      return unauthenticated(reply);
    }
    const text = typeof request.body?.text === 'string' ? request.body.text.trim() : '';
    if (!UUID.test(request.params.id) || text.length < 1 || text.length > 5000) {
      return invalid(reply, 'Invalid request.');
    }
    const { rows } = await prepared<Row>(
      `WITH ${CALLER},
       marked AS (
         UPDATE chat_participants cp SET last_read_at = GREATEST(cp.last_read_at, $5::timestamptz)
           FROM caller c WHERE cp.chat_id = $3 AND cp.user_id = c.user_id RETURNING cp.user_id),
       sent AS (
         INSERT INTO messages (id, chat_id, sender_id, text, created_at)
         SELECT $6, $3, user_id, $4, $5 FROM marked
         RETURNING id, chat_id, sender_id, text, created_at),
       chat AS (
         UPDATE chats ch SET last_message_text = s.text, last_message_at = s.created_at,
                last_message_user_id = s.sender_id, last_message_id = s.id, last_activity_at = s.created_at,
                updated_at = s.created_at
           FROM sent s
          WHERE ch.id = s.chat_id AND (ch.last_message_at IS NULL OR ch.last_message_at < s.created_at
                OR (ch.last_message_at = s.created_at AND ch.last_message_id < s.id)))
       SELECT EXISTS (SELECT 1 FROM caller) AS authenticated, s.* FROM (SELECT 1) one LEFT JOIN sent s ON true`,
      [claims.sid, claims.sub, request.params.id, text, new Date(), uuidv7()],
    );
    if (!rows[0].authenticated) {
      return unauthenticated(reply);
    }
    if (rows[0].id === null) {
      return notFound(reply, 'CHAT_NOT_FOUND');
    }
    return reply.code(201).send(message(rows[0]));
  },
);

/** My saved posts, newest save first, each with its post and author: one statement. */
app.get<{ Querystring: Query }>('/v1/saved-posts', async (request, reply) => {
  const claims = bearerClaims(request);
  if (!claims) {
    return unauthenticated(reply);
  }
  const limit = limitOf(request.query);
  if (limit === null) {
    return invalid(reply, 'Invalid query.');
  }
  const after = request.query.cursor ? decodeCursor('saved-posts:newest', request.query.cursor) : undefined;
  if (after === null) {
    return problem(reply, 400, 'INVALID_CURSOR', 'The cursor is not valid for this list.');
  }
  const params: unknown[] = [claims.sid, claims.sub, limit + 1];
  if (after) {
    params.push(after[0], after[1]);
  }
  const { rows } = await prepared<Row>(
    `WITH ${CALLER}
     SELECT EXISTS (SELECT 1 FROM caller) AS authenticated, x.* FROM (SELECT 1) one
       LEFT JOIN LATERAL (
         SELECT sp.id AS save_id, sp.created_at AS saved_at, ${POST_COLUMNS}
           FROM saved_posts sp JOIN posts p ON p.id = sp.post_id JOIN users u ON u.id = p.author_id
          WHERE sp.user_id = (SELECT user_id FROM caller) AND p.visible
                ${after ? 'AND (sp.created_at, sp.id) < ($4::timestamptz, $5::uuid)' : ''}
          ORDER BY sp.created_at DESC, sp.id DESC LIMIT $3) x ON true`,
    params,
  );
  if (!rows[0].authenticated) {
    return unauthenticated(reply);
  }
  return page(
    rows[0].save_id === null ? [] : rows,
    limit,
    (row) =>
      encodeCursor('saved-posts:newest', [(row.saved_at as Date).toISOString(), row.save_id as string]),
    (row) => ({ postId: row.id, savedAt: row.saved_at, post: { ...postSummary(row), saved: true } }),
  );
});

/**
 * Logs in: the credentials (one statement), argon2id verification, then the new session and the user
 * with profile (one statement). No failure counting: the benchmark only logs in successfully.
 */
app.post<{ Body: { email?: unknown; password?: unknown } }>('/v1/auth/login', async (request, reply) => {
  const { email, password } = request.body ?? {};
  if (typeof email !== 'string' || typeof password !== 'string') {
    return invalid(reply, 'email and password are required.');
  }
  const { rows: found } = await pool.query<{ id: string; password_hash: string }>(
    'SELECT id, password_hash FROM users WHERE email = $1',
    [email.trim().toLowerCase()],
  );
  const valid = found[0] ? await verifyPassword(found[0].password_hash, password).catch(() => false) : false;
  if (!valid) {
    return problem(reply, 401, 'INVALID_CREDENTIALS', 'The email or the password is wrong.');
  }
  const sessionId = uuidv7();
  const refresh = issueRefreshToken(sessionId);
  const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
  const { rows } = await pool.query<Row>(
    `WITH session AS (
       INSERT INTO sessions (id, user_id, refresh_token_hash, rotation_counter, user_agent, ip, created_at,
                             last_used_at, expires_at)
       VALUES ($1, $2, $3, 0, $4, $5, now(), now(), $6) RETURNING user_id)
     SELECT u.id, u.email, u.username, u.name, u.avatar, u.role::text AS role, u.created_at, u.updated_at,
            u.email_verified_at IS NOT NULL AS email_verified, u.suspended_at, pr.user_id AS profile_user_id, pr.bio, pr.avatar_url, pr.age, pr.location, pr.website,
            pr.created_at AS profile_created_at, pr.updated_at AS profile_updated_at
       FROM session s JOIN users u ON u.id = s.user_id LEFT JOIN profiles pr ON pr.user_id = u.id`,
    [
      sessionId,
      found[0].id,
      refresh.hash,
      userAgent,
      request.ip,
      new Date(Date.now() + SESSION_TTL_DAYS * 86_400_000),
    ],
  );
  const user = rows[0];
  const accessToken = jwt.sign({ sub: user.id, role: user.role, sid: sessionId, typ: 'access' }, JWT_KEY, {
    algorithm: 'HS256',
    expiresIn: ACCESS_TTL,
  });
  return {
    user: {
      id: user.id,
      username: user.username,
      name: user.name,
      avatar: user.avatar,
      createdAt: user.created_at,
      email: user.email,
      emailVerified: user.email_verified,
      role: user.role,
      suspendedAt: user.suspended_at,
      updatedAt: user.updated_at,
      profile:
        user.profile_user_id === null
          ? null
          : {
              userId: user.profile_user_id,
              bio: user.bio,
              avatarUrl: user.avatar_url,
              age: user.age,
              location: user.location,
              website: user.website,
              createdAt: user.profile_created_at,
              updatedAt: user.profile_updated_at,
            },
    },
    accessToken,
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: ACCESS_TTL,
  };
});

app.setErrorHandler((error, _request, reply) => {
  const status = (error as { statusCode?: number }).statusCode ?? 500;
  return status < 500
    ? problem(reply, status, 'BAD_REQUEST', 'The request is not valid.')
    : problem(reply, 500, 'INTERNAL_ERROR', 'An unexpected error occurred.');
});

async function main(): Promise<void> {
  if (SECRET.length < 32 || !env.DATABASE_URL) {
    throw new Error('JWT_SECRET (32+ characters) and DATABASE_URL are required');
  }
  const close = (): void => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ port: Number(env.PORT ?? 3001), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
