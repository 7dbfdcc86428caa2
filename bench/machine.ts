import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
export const TICKS = 100;

export interface CpuSnapshot {
  at: number;
  ticks: Map<number, { ticks: number; command: string }>;
}

/** CPU time used so far by every process, from /proc. */
export function cpuSnapshot(): CpuSnapshot {
  const ticks = new Map<number, { ticks: number; command: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: count fields after its closing one.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = Number(fields[11]) + Number(fields[12]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      ticks.set(Number(entry), {
        ticks: used,
        command: command || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return { at: Date.now(), ticks };
}

export interface ForeignLoad {
  /** CPU used by processes that are not part of this benchmark, in % of one core. */
  percent: number;
  /** The busiest of them, as "command (percent)". */
  top: string[];
}

/**
 * CPU used between two snapshots by everything except the benchmark: this process, the servers, and
 * PostgreSQL backends connected to the benchmark's database. Other PostgreSQL processes (background
 * writers, other databases' backends) count as foreign.
 */
export function foreignLoad(
  before: CpuSnapshot,
  after: CpuSnapshot,
  ours: number[],
  database: string,
): ForeignLoad {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const users: { command: string; percent: number }[] = [];
  for (const [pid, { ticks, command }] of after.ticks) {
    const mine = ours.includes(pid) || pid === process.pid || command.includes(` ${database} `);
    if (mine) {
      continue;
    }
    const used = ticks - (before.ticks.get(pid)?.ticks ?? 0);
    if (used > 0) {
      users.push({ command, percent: (100 * used) / TICKS / seconds });
    }
  }
  users.sort((a, b) => b.percent - a.percent);
  return {
    percent: users.reduce((sum, user) => sum + user.percent, 0),
    top: users
      .filter((user) => user.percent >= 5)
      .slice(0, 4)
      .map((user) => `${user.command.slice(0, 60)} (${user.percent.toFixed(0)} %)`),
  };
}

/** What is busy right now: one second of CPU use per process, plus the load average. */
export async function idleCheck(): Promise<string> {
  const before = cpuSnapshot();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const load = foreignLoad(before, cpuSnapshot(), [], '\0');
  const [one, five] = os.loadavg();
  return (
    `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min); ` +
    `${load.percent.toFixed(0)} % of a core busy over one second` +
    (load.top.length ? `: ${load.top.join(', ')}` : '')
  );
}

export function machine(): string {
  const cpus = os.cpus();
  return (
    `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}, Node ${process.version}`
  );
}

export function gitCommit(): string {
  try {
    const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim();
    return dirty ? `${commit} (with uncommitted changes in the working tree)` : commit;
  } catch {
    return 'unknown';
  }
}
