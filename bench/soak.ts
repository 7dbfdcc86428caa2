/**
 * The soak: the five API scenarios mixed, held at about 80 % of the peak the same mix reached just
 * before, on one project server for a long time; reported minute by minute.
 *
 *   npm run bench -- --soak 600               on PostgreSQL (the default-scale seed)
 *   npm run bench -- --soak 300 --embedded    on the embedded PGlite database of the server itself
 *
 * Targets (issue "The service keeps running"): zero errors and non-2xx, RSS at the end within 10 % of
 * minute 1, p99 of the last minute within 1.5x of the first. The harness exits non-zero when one is
 * missed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import autocannon from 'autocannon';

import { EmbeddedDatabase } from '@/database/embedded-database';

import { Fixtures, loadFixtures, seedEmbedded, SeedSizes, withClient } from './database';
import { inTurn } from './load';
import { BenchRequest, buildScenarios } from './scenarios';
import { rssKb, RunningServer, sampleRss, startProject } from './servers';

export interface SoakOptions {
  seconds: number;
  connections: number;
  /** The share of the measured peak to hold (0.8). */
  share: number;
  databaseUrl?: string;
  embeddedSizes: SeedSizes;
  jwtSecret: string;
  poolSize: number;
  writers: number;
  /** More node flags for the project (`--node-flags`). */
  nodeFlags?: string[];
}

export interface SoakMinute {
  minute: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  rssPeakMb: number;
  rssEndMb: number;
}

export interface SoakResult {
  database: string;
  peakRps: number;
  targetRps: number;
  minutes: SoakMinute[];
  verdicts: { target: string; met: boolean; seen: string }[];
}

const MIX = ['list', 'post', 'messages', 'send', 'saved'] as const;

/** The five scenarios' requests in turn: request n of the mix is scenario n % 5's next request. */
function mixed(scenarios: { requests: BenchRequest[] }[]): BenchRequest[] {
  const longest = Math.max(...scenarios.map((scenario) => scenario.requests.length));
  const requests: BenchRequest[] = [];
  for (let index = 0; index < longest; index += 1) {
    for (const scenario of scenarios) {
      requests.push(scenario.requests[index % scenario.requests.length]);
    }
  }
  return requests;
}

async function drive(
  server: RunningServer,
  requests: BenchRequest[],
  seconds: number,
  connections: number,
  overallRate?: number,
): Promise<Awaited<ReturnType<typeof autocannon>>> {
  return autocannon({
    url: server.url,
    connections,
    duration: seconds,
    timeout: 30,
    overallRate,
    requests: inTurn(requests),
  });
}

/** The project on the embedded database of a fresh data folder, seeded first (the server stopped). */
async function embeddedFixtures(options: SoakOptions, dataDir: string): Promise<Fixtures> {
  await seedEmbedded(options.embeddedSizes, dataDir);
  const embedded = await EmbeddedDatabase.start(dataDir, 2);
  try {
    const { host, port, user, database } = embedded.connection;
    const url = `postgresql://${user}@${host}:${port}/${database}`;
    await withClient(url, async (client) => {
      await client.query(
        'CREATE TABLE IF NOT EXISTS bench_seed (fingerprint text NOT NULL, seeded_at timestamptz NOT NULL)',
      );
      await client.query("INSERT INTO bench_seed VALUES ('soak', now())");
    });
    return await loadFixtures(url, options.writers);
  } finally {
    await embedded.stop();
  }
}

export async function soak(options: SoakOptions): Promise<SoakResult> {
  const dataDir = options.databaseUrl ? undefined : mkdtempSync(path.join(os.tmpdir(), 'bench-soak-'));
  let server: RunningServer | undefined;
  try {
    const fixtures = dataDir
      ? await embeddedFixtures(options, dataDir)
      : await loadFixtures(options.databaseUrl!, options.writers);
    server = await startProject({
      databaseUrl: options.databaseUrl ?? '',
      dataDir,
      jwtSecret: options.jwtSecret,
      poolSize: options.poolSize,
      nodeFlags: options.nodeFlags,
    });
    const requests = mixed(await buildScenarios(fixtures, server.url, MIX));

    const peakRun = await drive(
      server,
      requests,
      Math.min(20, Math.max(5, options.seconds / 30)),
      options.connections,
    );
    if (peakRun.errors + peakRun.timeouts + peakRun.non2xx > 0) {
      throw new Error(
        `the peak run had ${peakRun.errors + peakRun.timeouts} errors and ${peakRun.non2xx} non-2xx`,
      );
    }
    const peakRps = peakRun.requests.average;
    const targetRps = Math.max(1, Math.round(peakRps * options.share));
    console.log(`peak ${peakRps.toFixed(0)} req/s; holding ${targetRps} req/s for ${options.seconds} s`);

    const minutes: SoakMinute[] = [];
    for (let elapsed = 0, minute = 1; elapsed < options.seconds; minute += 1) {
      const seconds = Math.min(60, options.seconds - elapsed);
      elapsed += seconds;
      const rss = sampleRss(server.pid);
      const result = await drive(server, requests, seconds, options.connections, targetRps);
      const row: SoakMinute = {
        minute,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        rssPeakMb: rss.stop() / 1024,
        rssEndMb: rssKb(server.pid) / 1024,
      };
      minutes.push(row);
      console.log(
        `  minute ${String(minute).padStart(2)}: ${row.rps.toFixed(0)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  ` +
          `non-2xx ${row.non2xx}  errors ${row.errors}  RSS peak ${row.rssPeakMb.toFixed(0)} MB, end ${row.rssEndMb.toFixed(0)} MB`,
      );
    }
    return {
      database: dataDir ? 'embedded PGlite (in the server process)' : 'PostgreSQL',
      peakRps,
      targetRps,
      minutes,
      verdicts: verdicts(minutes),
    };
  } finally {
    await server?.stop();
    if (dataDir) {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

function verdicts(minutes: SoakMinute[]): SoakResult['verdicts'] {
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  const failures = minutes.reduce((sum, m) => sum + m.errors + m.non2xx, 0);
  const rssGrowth = last.rssEndMb / first.rssEndMb;
  const p99Growth = last.p99 / Math.max(1, first.p99);
  return [
    { target: 'zero errors and non-2xx', met: failures === 0, seen: `${failures}` },
    {
      target: 'RSS at the end within 10 % of minute 1',
      met: rssGrowth <= 1.1,
      seen: `${first.rssEndMb.toFixed(0)} -> ${last.rssEndMb.toFixed(0)} MB (${rssGrowth.toFixed(2)}x)`,
    },
    {
      target: 'p99 of the last minute within 1.5x of the first',
      met: p99Growth <= 1.5,
      seen: `${first.p99} -> ${last.p99} ms (${p99Growth.toFixed(2)}x)`,
    },
  ];
}

export function soakTable(result: SoakResult): string {
  return [
    '| minute | req/s | p50 ms | p99 ms | non-2xx | errors | RSS peak MB | RSS end MB |',
    '| --: | --: | --: | --: | --: | --: | --: | --: |',
    ...result.minutes.map(
      (m) =>
        `| ${m.minute} | ${m.rps.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.non2xx} | ${m.errors} | ` +
        `${m.rssPeakMb.toFixed(0)} | ${m.rssEndMb.toFixed(0)} |`,
    ),
    '',
    ...result.verdicts.map((v) => `- ${v.met ? 'met' : 'NOT met'}: ${v.target} (${v.seen})`),
  ].join('\n');
}
