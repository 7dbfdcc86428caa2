import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Measurement } from './load';

export const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');

const HEADER = `# Benchmark results

\`npm run bench\` (see bench/run.ts) seeds a PostgreSQL database with the project's seeder, then drives
the built project (NestJS on Fastify with Prisma, production mode, throttler raised) and a reference
server (plain Fastify and \`pg\` with hand-written SQL, bench/reference/server.ts) with the same
requests, after checking that both answer the same JSON. Each run appends a dated section below.
`;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of each figure over the rounds; counts are summed and RSS is the peak. */
export function summarise(rounds: Measurement[]): Measurement {
  return {
    rps: median(rounds.map((m) => m.rps)),
    p50: median(rounds.map((m) => m.p50)),
    p975: median(rounds.map((m) => m.p975)),
    p99: median(rounds.map((m) => m.p99)),
    requests: rounds.reduce((sum, m) => sum + m.requests, 0),
    non2xx: rounds.reduce((sum, m) => sum + m.non2xx, 0),
    errors: rounds.reduce((sum, m) => sum + m.errors, 0),
    rssPeakKb: Math.max(...rounds.map((m) => m.rssPeakKb)),
    cpuUs: median(rounds.map((m) => m.cpuUs)),
    foreign: rounds.reduce(
      (worst, m) => (m.foreign.percent > worst.percent ? m.foreign : worst),
      rounds[0].foreign,
    ),
  };
}

export interface Row {
  title: string;
  project: Measurement;
  reference: Measurement;
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);
const mb = (kb: number): string => fixed(kb / 1024);
const ratio = (value: number): string => `${value.toFixed(2)}`;

/**
 * A Markdown table: one line per server and scenario, the project's line with the ratios. "CPU µs/req"
 * is the server's own CPU time per answered request (median over the rounds): steadier from run to run
 * than throughput on a shared machine. "other CPU" is the most CPU (in % of one core) that processes
 * outside the benchmark used during a measured run.
 */
export function table(rows: Row[]): string {
  const lines = [
    '| scenario | server | req/s | p50 ms | p97.5 ms | p99 ms | non-2xx | peak RSS MB | CPU µs/req | req/s project/ref | p99 project/ref | other CPU % |',
    '| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const { title, project, reference } of rows) {
    for (const [name, m] of [
      ['project', project],
      ['reference', reference],
    ] as const) {
      const mine = name === 'project';
      lines.push(
        `| ${mine ? title : ''} | ${name} | ${fixed(m.rps)} | ${fixed(m.p50)} | ${fixed(m.p975)} | ${fixed(m.p99)} | ` +
          `${m.non2xx + m.errors} | ${mb(m.rssPeakKb)} | ${fixed(m.cpuUs)} | ` +
          `${mine ? ratio(project.rps / reference.rps) : ''} | ${mine ? ratio(project.p99 / Math.max(1, reference.p99)) : ''} | ` +
          `${fixed(m.foreign.percent)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Appends a section to RESULTS.md (created with its header when missing), formatted as Prettier wants it. */
export async function appendResults(section: string): Promise<void> {
  const before = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : HEADER;
  const text = `${before.trimEnd()}\n\n${section.trim()}\n`;
  // Prettier checks every Markdown file of the repository (npm run lint): keep this one formatted.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(RESULTS_FILE)) ?? {};
  writeFileSync(RESULTS_FILE, await prettier.format(text, { ...options, filepath: RESULTS_FILE }));
}
