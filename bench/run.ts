/**
 * The benchmark: the project against a hand-written reference, on the same seeded database.
 *
 *   npm run bench                  default scale, 32 connections, 10 s runs, 3 rounds (median)
 *   npm run bench -- --quick       small seed, 2 s runs, 1 round: proves the benchmark still works (CI)
 *   npm run bench -- --scale       scenarios 1 and 3 at 10 thousand and at 1 million rows
 *   npm run bench -- --soak S      the five API scenarios mixed at 80 % of their peak for S seconds,
 *                                  minute by minute (--embedded: on the server's own PGlite; soak.ts)
 * Options: --connections N, --duration S, --rounds N, --only list,post,..., --fresh (seed again),
 * (`--only webhooks`: post changes delivered as webhooks to a receiver in this process, bench/webhooks.ts;
 *  `--only realtime`: messages over REST at rising rates to 200 Socket.IO clients, bench/realtime.ts;
 *  `--only photos`: 12-megapixel JPEG uploads over 8 connections, photos/s and RSS, bench/photos.ts),
 * --no-build (use dist/ as it is), --no-write (leave RESULTS.md alone; --quick never writes),
 * --profile DIR (both servers run with --cpu-prof, into DIR/project and DIR/reference; read the
 * profiles with bench/profile-summary.ts),
 * --node-flags="..." (more node flags for the project, to try a V8 setting),
 * --redis (the project with REDIS_URL: TEST_REDIS_URL, else redis://127.0.0.1:6379; its limits and
 * session invalidations go through Redis, as with several instances).
 *
 * Exits non-zero when a server does not start, the two servers answer different JSON, or a response
 * is not the expected 2xx. Every server it starts is stopped on exit, also after a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { ensureSeeded, Fixtures, loadFixtures, SeedSizes } from './database';
import { compareServers, LoadOptions, measure, Measurement } from './load';
import { gitCommit, idleCheck, machine } from './machine';
import { photosBench, photosFailures, photosTable } from './photos';
import { realtimeBench, type RealtimeStep, realtimeTable, sustainedRate } from './realtime';
import { appendResults, RESULTS_FILE, Row, summarise, table } from './report';
import { buildScenarios, Scenario, SCENARIO_KEYS, ScenarioKey } from './scenarios';
import { buildProject, killAll, RunningServer, startProject, startReference } from './servers';
import { soak, soakTable } from './soak';
import { WebhookBenchResult, webhooksBench, webhooksTable } from './webhooks';

/** Run only when asked (`--only webhooks`): the project alone, end to end through its workers. */
const WEBHOOKS = 'webhooks';
/** Run only when asked (`--only realtime`): one instance, then two on one Redis (bench/realtime.ts). */
const REALTIME = 'realtime';
/** Run only when asked (`--only photos`): the project alone, uploads re-encoded (bench/photos.ts). */
const PHOTOS = 'photos';
/** Messages per second the realtime scenario steps through. */
const REALTIME_RATES = [100, 250, 500, 750, 1000, 1500];

const SIZES: Record<'default' | 'quick' | 'scale10k' | 'scale1m' | 'quick10k' | 'quick100k', SeedSizes> = {
  default: { users: 10_000, posts: 100_000, saves: 200_000, chats: 2_000, messages: 200_000 },
  quick: { users: 100, posts: 2_000, saves: 2_000, chats: 20, messages: 2_000 },
  // Scale runs: posts and messages grow 100 times; a hundred chats, so the chat read holds 100 times
  // more messages too, while a page stays 50 messages.
  scale10k: { users: 1_000, posts: 10_000, saves: 10_000, chats: 100, messages: 10_000 },
  scale1m: { users: 100_000, posts: 1_000_000, saves: 10_000, chats: 100, messages: 1_000_000 },
  quick10k: { users: 100, posts: 1_000, saves: 1_000, chats: 10, messages: 1_000 },
  quick100k: { users: 1_000, posts: 10_000, saves: 1_000, chats: 10, messages: 10_000 },
};
const SCALE_KEYS: ScenarioKey[] = ['list', 'messages'];
const JWT_SECRET = 'benchmark-only-secret-not-for-production-0123456789';
const POOL_SIZE = 10; // the project's default DB_POOL_SIZE, given to both servers
const WRITERS = 16; // chats (and senders) the write scenario spreads over

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    connections: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    profile: { type: 'string' },
    'node-flags': { type: 'string' },
    soak: { type: 'string' },
    embedded: { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
  },
});
const redisUrl = flags.redis ? (process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
const quick = flags.quick;
/** More node flags for the project (`--node-flags="..."`). */
const nodeFlags = flags['node-flags']?.split(' ').filter(Boolean) ?? [];
const load: LoadOptions = {
  connections: Number(flags.connections ?? 32),
  duration: Number(flags.duration ?? (quick ? 2 : 10)),
};
const rounds = Number(flags.rounds ?? (quick ? 1 : 3));
const warmup = quick ? 0 : 3;
const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
  ' ',
);

let failed = false;
function fail(message: string): void {
  failed = true;
  console.error(`FAIL: ${message}`);
}

function describe(m: Measurement): string {
  return (
    `${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50.toFixed(0).padStart(4)} ms  p99 ${m.p99.toFixed(0).padStart(4)} ms  ` +
    `non-2xx ${m.non2xx}  errors ${m.errors}  RSS ${(m.rssPeakKb / 1024).toFixed(0)} MB  ` +
    `CPU ${m.cpuUs.toFixed(0)} µs/req  ` +
    `other CPU ${m.foreign.percent.toFixed(0)} %${m.foreign.top.length ? ` (${m.foreign.top.join(', ')})` : ''}`
  );
}

interface SessionResult {
  fixtures: Fixtures;
  rows: (Row & { scenario: Scenario })[];
  foreignWorst: Measurement['foreign'];
}

/** One database: seed it (or reuse it), start both servers, compare their answers, then measure. */
async function session(sizes: SeedSizes, keys: readonly ScenarioKey[]): Promise<SessionResult> {
  const databaseUrl = await ensureSeeded(sizes, flags.fresh);
  const database = new URL(databaseUrl).pathname.slice(1);
  const fixtures = await loadFixtures(databaseUrl, WRITERS);
  const settings = {
    databaseUrl,
    jwtSecret: JWT_SECRET,
    poolSize: POOL_SIZE,
    nodeFlags,
    profile: flags.profile,
    redisUrl,
  };
  const servers: RunningServer[] = [];
  try {
    const project = await startProject(settings);
    servers.push(project);
    const reference = await startReference(settings);
    servers.push(reference);
    console.log(
      `project pid ${project.pid} at ${project.url}; reference pid ${reference.pid} at ${reference.url}`,
    );
    const scenarios = await buildScenarios(fixtures, project.url, keys);

    for (const scenario of scenarios) {
      const found = await compareServers(project, reference, scenario);
      if (found.length > 0) {
        throw new Error(
          `${scenario.title}: the servers answer differently:\n  ${found.slice(0, 20).join('\n  ')}`,
        );
      }
      console.log(`same JSON from both servers: ${scenario.title}`);
    }

    const context = { ours: [project.pid, reference.pid], database };
    const rows: SessionResult['rows'] = [];
    let foreignWorst: Measurement['foreign'] = { percent: 0, top: [] };
    for (const scenario of scenarios) {
      console.log(`\n${scenario.title}`);
      const results = new Map<RunningServer, Measurement[]>([
        [project, []],
        [reference, []],
      ]);
      if (warmup > 0) {
        for (const server of [project, reference]) {
          await measure(server, scenario, { ...load, duration: warmup }, context);
        }
      }
      for (let round = 1; round <= rounds; round += 1) {
        // Alternate which server goes first, so neither always runs on a warmer (or busier) machine.
        const order = round % 2 === 1 ? [project, reference] : [reference, project];
        for (const server of order) {
          const m = await measure(server, scenario, load, context);
          results.get(server)!.push(m);
          console.log(`  round ${round} ${server.name.padEnd(9)} ${describe(m)}`);
          if (m.non2xx > 0 || m.errors > 0) {
            fail(
              `${scenario.title} on the ${server.name}: ${m.non2xx} non-2xx responses, ${m.errors} errors`,
            );
          }
          if (m.foreign.percent > foreignWorst.percent) {
            foreignWorst = m.foreign;
          }
        }
      }
      rows.push({
        scenario,
        title: scenario.title,
        project: summarise(results.get(project)!),
        reference: summarise(results.get(reference)!),
      });
    }
    return { fixtures, rows, foreignWorst };
  } finally {
    for (const server of servers) {
      await server.stop();
    }
  }
}

function sizesLine(sizes: SeedSizes): string {
  return (Object.entries(sizes) as [string, number][])
    .map(([key, value]) => `${value.toLocaleString('en-US')} ${key}`)
    .join(', ');
}

function foreignLine(worst: Measurement['foreign']): string {
  return worst.percent < 5
    ? 'under 5 % of a core used by other processes during every measured run'
    : `up to ${worst.percent.toFixed(0)} % of a core used by other processes during a measured run` +
        (worst.top.length ? ` (${worst.top.join(', ')})` : '');
}

/** A factual summary of the table, for the "what this shows" paragraph. */
function whatThisShows(rows: Row[]): string {
  const throughput = rows.map((row) => row.project.rps / row.reference.rps);
  const tail = rows.map((row) => row.project.p99 / Math.max(1, row.reference.p99));
  const geometric = Math.exp(throughput.reduce((sum, r) => sum + Math.log(r), 0) / throughput.length);
  const slowest = rows[throughput.indexOf(Math.min(...throughput))];
  const rss = (key: 'project' | 'reference') => Math.max(...rows.map((row) => row[key].rssPeakKb)) / 1024;
  return (
    `On the API scenarios the project serves ${Math.min(...throughput).toFixed(2)}–${Math.max(...throughput).toFixed(2)} ` +
    `times the reference's requests per second (geometric mean ${geometric.toFixed(2)}); its p99 latency is ` +
    `${Math.min(...tail).toFixed(1)}–${Math.max(...tail).toFixed(1)} times the reference's. The widest gap is ` +
    `"${slowest.title}". Peak memory: ${rss('project').toFixed(0)} MB for the project, ${rss('reference').toFixed(0)} MB ` +
    `for the reference. Both servers, PostgreSQL and the load generator share the same cores, so these are ` +
    `ratios on one machine, not capacity figures.`
  );
}

/** The webhooks scenario (bench/webhooks.ts): the project alone, on the seeded database. */
async function webhooksRun(sizes: SeedSizes): Promise<void> {
  const databaseUrl = await ensureSeeded(sizes, flags.fresh);
  const fixtures = await loadFixtures(databaseUrl, WRITERS);
  const changes = quick ? 1000 : 10_000;
  const started = new Date();
  const project = await startProject({
    databaseUrl,
    jwtSecret: JWT_SECRET,
    poolSize: POOL_SIZE,
    env: { WEBHOOK_ALLOW_INSECURE: 'true' },
  });
  let result: WebhookBenchResult;
  try {
    console.log(`
webhooks: ${changes} post changes of one account, one endpoint at a receiver in this process`);
    result = await webhooksBench(project, fixtures.loginEmail, changes);
  } finally {
    await project.stop();
  }
  const report = webhooksTable(result);
  console.log(`
${report}`);
  if (result.missing > 0 || result.badSignatures > 0) {
    fail(`webhooks: ${result.missing} event(s) never delivered, ${result.badSignatures} bad signature(s)`);
  }
  if (quick || flags['no-write']) {
    return;
  }
  await appendResults(
    [
      `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: webhooks`,
      '',
      `- commit: ${commit}`,
      `- machine: ${machine()}; PostgreSQL ${fixtures.postgresVersion} on the same machine`,
      `- command: \`${command}\` (${result.concurrency} concurrent clients; half the changes create posts of the ` +
        'account, half rename them; the project alone, default job settings; the receiver answers 204 at once)',
      '',
      report,
    ].join('\n'),
  );
  console.log(`\nappended to ${RESULTS_FILE}`);
}

/**
 * The realtime scenario: the project alone, first one instance, then two on one Redis (both on the
 * seeded database); a step per rate of REALTIME_RATES.
 */
async function realtimeRun(sizes: SeedSizes): Promise<void> {
  const databaseUrl = await ensureSeeded(sizes, flags.fresh);
  const started = new Date();
  const durationS = quick ? 2 : 5;
  const rates = quick ? REALTIME_RATES.slice(0, 3) : REALTIME_RATES;
  const shared = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const steps: RealtimeStep[] = [];
  for (const instances of [1, 2]) {
    const servers = [];
    try {
      for (let index = 0; index < instances; index += 1) {
        servers.push(
          await startProject({
            databaseUrl,
            jwtSecret: JWT_SECRET,
            poolSize: POOL_SIZE,
            redisUrl: instances > 1 ? shared : redisUrl,
          }),
        );
      }
      console.log(`\nrealtime: 200 clients in 100 chats, ${instances} instance(s), ${durationS} s per rate`);
      steps.push(...(await realtimeBench(servers, rates, durationS)));
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  }
  const report = realtimeTable(steps);
  console.log(`\n${report}`);
  const single = sustainedRate(steps.filter((step) => step.instances === 1));
  if (!quick && (!single || single.rate < 500)) {
    fail('realtime: one instance did not sustain 500 messages a second with p99 under 50 ms');
  }
  if (quick || flags['no-write']) {
    return;
  }
  await appendResults(
    [
      `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: realtime`,
      '',
      `- commit: ${commit}`,
      `- machine: ${machine()}`,
      `- command: \`${command}\` (the clients and the senders run in the bench process, on the same 2 cores; ` +
        'latency from the moment a POST leaves to the moment each participant has the event; two instances ' +
        'get one participant of each chat each)',
      '',
      report,
    ].join('\n'),
  );
  console.log(`\nappended to ${RESULTS_FILE}`);
}

/** The photos scenario (bench/photos.ts): the project alone, storing on local disk in a temporary folder. */
async function photosRun(sizes: SeedSizes): Promise<void> {
  const databaseUrl = await ensureSeeded(sizes, flags.fresh);
  const fixtures = await loadFixtures(databaseUrl, WRITERS);
  const uploads = quick ? 40 : 400;
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'bench-media-'));
  const started = new Date();
  const project = await startProject({
    databaseUrl,
    jwtSecret: JWT_SECRET,
    poolSize: POOL_SIZE,
    nodeFlags,
    env: { MEDIA_DIR: mediaDir },
  });
  let result;
  try {
    console.log(`\nphotos: ${uploads} uploads of a 12-megapixel JPEG over 8 connections`);
    result = await photosBench(project, fixtures.loginEmail, uploads);
  } finally {
    await project.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  }
  const report = photosTable(result);
  console.log(`\n${report}`);
  const failures = photosFailures(result);
  if (failures.length > 0) {
    fail(`photos: ${failures.join('; ')}`);
  }
  if (quick || flags['no-write']) {
    return;
  }
  await appendResults(
    [
      `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: photos`,
      '',
      `- commit: ${commit}`,
      `- machine: ${machine()}`,
      `- command: \`${command}\` (a ${result.fileMb.toFixed(1)} MB 4000 x 3000 JPEG; default PHOTO_CONCURRENCY; ` +
        'local storage in a temporary folder; the uploader runs in the bench process on the same cores)',
      '',
      report,
    ].join('\n'),
  );
  console.log(`\nappended to ${RESULTS_FILE}`);
}

async function defaultRun(): Promise<void> {
  const sizes = quick ? SIZES.quick : SIZES.default;
  const requested = flags.only ? flags.only.split(',') : [...SCENARIO_KEYS];
  const special = [WEBHOOKS, REALTIME, PHOTOS];
  const unknown = requested.filter(
    (key) => !special.includes(key) && !SCENARIO_KEYS.includes(key as ScenarioKey),
  );
  if (unknown.length > 0) {
    throw new Error(
      `Unknown scenario ${unknown.join(', ')}; known: ${[...SCENARIO_KEYS, ...special].join(', ')}`,
    );
  }
  if (requested.includes(WEBHOOKS)) {
    await webhooksRun(sizes);
  }
  if (requested.includes(REALTIME)) {
    await realtimeRun(sizes);
  }
  if (requested.includes(PHOTOS)) {
    await photosRun(sizes);
  }
  const keys = requested.filter((key): key is ScenarioKey => !special.includes(key));
  if (keys.length === 0) {
    return;
  }
  const before = await idleCheck();
  console.log(`machine before: ${before}`);
  const started = new Date();
  const { fixtures, rows, foreignWorst } = await session(sizes, keys);
  const after = await idleCheck();
  console.log(`machine after: ${after}`);

  const api = rows.filter((row) => !row.scenario.own);
  const own = rows.filter((row) => row.scenario.own);
  console.log(`\n${table(api)}`);
  if (own.length) {
    console.log(`\nreported on its own:\n${table(own)}`);
  }
  if (quick || flags['no-write']) {
    return;
  }
  await appendResults(
    [
      `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: default scale`,
      '',
      `- commit: ${commit}`,
      `- machine: ${machine()}; PostgreSQL ${fixtures.postgresVersion} on the same machine`,
      `- command: \`${command}\` (${load.connections} connections, ${load.duration} s per run, ` +
        `${rounds} rounds alternating which server goes first, median of the rounds per column; ` +
        `${warmup} s warm-up per server and scenario; autocannon runs in the harness process on the same machine)`,
      `- data: ${sizesLine(sizes)}; pool of ${POOL_SIZE} connections in both servers`,
      `- machine state: before the run ${before}; after it ${after}; ${foreignLine(foreignWorst)}`,
      '',
      table(api),
      '',
      ...(own.length
        ? ['Reported on its own (bound by argon2id hashing by design):', '', table(own), '']
        : []),
      '### What this shows',
      '',
      api.length ? whatThisShows(api) : '',
    ].join('\n'),
  );
  console.log(`\nappended to ${RESULTS_FILE}`);
}

async function scaleRun(): Promise<void> {
  const [small, large] = quick ? [SIZES.quick10k, SIZES.quick100k] : [SIZES.scale10k, SIZES.scale1m];
  const before = await idleCheck();
  const started = new Date();
  const results: { sizes: SeedSizes; result: SessionResult }[] = [];
  for (const sizes of [small, large]) {
    console.log(`\n=== ${sizesLine(sizes)}`);
    results.push({ sizes, result: await session(sizes, SCALE_KEYS) });
  }
  const after = await idleCheck();
  const lines = [
    '| scenario | server | p99 ms, small | p99 ms, large | p99 large/small | req/s, small | req/s, large |',
    '| --- | --- | --: | --: | --: | --: | --: |',
  ];
  for (const key of SCALE_KEYS) {
    const [a, b] = results.map(({ result }) => result.rows.find((row) => row.scenario.key === key)!);
    for (const server of ['project', 'reference'] as const) {
      lines.push(
        `| ${server === 'project' ? b.title : ''} | ${server} | ${a[server].p99.toFixed(0)} | ${b[server].p99.toFixed(0)} | ` +
          `${(b[server].p99 / Math.max(1, a[server].p99)).toFixed(2)} | ${a[server].rps.toFixed(0)} | ${b[server].rps.toFixed(0)} |`,
      );
    }
  }
  const scaleTable = lines.join('\n');
  console.log(`\nsmall: ${sizesLine(small)}\nlarge: ${sizesLine(large)}\n\n${scaleTable}`);
  if (quick || flags['no-write']) {
    return;
  }
  const worst = results.reduce(
    (w, { result }) => (result.foreignWorst.percent > w.percent ? result.foreignWorst : w),
    results[0].result.foreignWorst,
  );
  await appendResults(
    [
      `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: scale (p99 at 1 million rows / at 10 thousand)`,
      '',
      `- commit: ${commit}`,
      `- machine: ${machine()}; PostgreSQL ${results[0].result.fixtures.postgresVersion} on the same machine`,
      `- command: \`${command}\` (${load.connections} connections, ${load.duration} s per run, ${rounds} rounds, median)`,
      `- small: ${sizesLine(small)}; large: ${sizesLine(large)}`,
      `- machine state: before the run ${before}; after it ${after}; ${foreignLine(worst)}`,
      '',
      scaleTable,
    ].join('\n'),
  );
  console.log(`\nappended to ${RESULTS_FILE}`);
}

async function soakRun(seconds: number): Promise<void> {
  if (!Number.isFinite(seconds) || seconds < 10) {
    throw new Error('--soak takes a number of seconds, at least 10');
  }
  const sizes = quick ? SIZES.quick : SIZES.default;
  const started = new Date();
  const before = await idleCheck();
  const databaseUrl = flags.embedded ? undefined : await ensureSeeded(sizes, flags.fresh);
  const result = await soak({
    seconds,
    connections: load.connections,
    share: 0.8,
    databaseUrl,
    embeddedSizes: SIZES.quick,
    jwtSecret: JWT_SECRET,
    poolSize: POOL_SIZE,
    nodeFlags,
    writers: WRITERS,
  });
  const after = await idleCheck();
  const report = soakTable(result);
  console.log(`\n${report}`);
  for (const verdict of result.verdicts.filter((v) => !v.met)) {
    fail(`soak: ${verdict.target} (${verdict.seen})`);
  }
  if (flags['no-write']) {
    return;
  }
  await appendResults(
    [
      `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: soak, ${seconds} s on ${result.database}`,
      '',
      `- commit: ${commit}`,
      `- machine: ${machine()}`,
      `- command: \`${command}\` (${load.connections} connections; the five API scenarios in turn; one autocannon run ` +
        `per minute at a fixed overall rate of ${result.targetRps} req/s, 80 % of the ${result.peakRps.toFixed(0)} req/s the ` +
        `same mix reached unthrottled just before)`,
      `- data: ${sizesLine(flags.embedded ? SIZES.quick : sizes)}; the project alone (no reference)`,
      `- machine state: before the run ${before}; after it ${after}`,
      '',
      report,
    ].join('\n'),
  );
  console.log(`\nappended to ${RESULTS_FILE}`);
}

/** The commit measured, read before the build (the tree may change while a long run goes on). */
let commit = 'unknown';

async function main(): Promise<void> {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  commit = gitCommit();
  if (!flags['no-build']) {
    console.log('building the project (npm run build)');
    buildProject();
  }
  await (flags.soak ? soakRun(Number(flags.soak)) : flags.scale ? scaleRun() : defaultRun());
  if (failed) {
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  killAll();
  process.exit(1);
});
