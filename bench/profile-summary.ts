/**
 * Where a CPU profile's time went: self time by package (or project folder) and the hottest functions.
 *
 *   npm run bench -- --only list --no-write --profile /tmp/prof
 *   node -r @swc-node/register bench/profile-summary.ts /tmp/prof/project/<file>.cpuprofile [--top 40]
 *   ... --callers deprecate      who calls a function (its self time by call path, 4 frames up)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to, the project folder under dist/, or the runtime's own bucket. */
function owner(url: string, name: string): string {
  if (!url) {
    return name.startsWith('(') ? name : '(native)';
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) {
    return 'node:' + url.slice(5).split('/')[0];
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0
    ? `project ${
        url
          .slice(dist + 6)
          .split('/')
          .slice(0, -1)
          .join('/') || '.'
      }`
    : url;
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '30' }, callers: { type: 'string' } },
    allowPositionals: true,
  });
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
  );
  const total = [...self.values()].reduce((sum, time) => sum + time, 0);
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((sum, [, time]) => sum + time, 0);

  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, time] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      continue;
    }
    const pkg = owner(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + time);
    const key = `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + time);
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    node.children?.forEach((child) => parent.set(child, node.id));
  }
  const paths = new Map<string, number>();
  for (const [id, time] of self) {
    if (values.callers && byId.get(id)!.callFrame.functionName === values.callers) {
      const frames: string[] = [];
      for (let at = parent.get(id); at !== undefined && frames.length < 4; at = parent.get(at)) {
        const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
        frames.push(`${functionName || '(anonymous)'} ${owner(url, functionName)}:${lineNumber + 1}`);
      }
      const key = frames.join(' < ');
      paths.set(key, (paths.get(key) ?? 0) + time);
    }
  }
  const percent = (time: number) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
  const top = Number(values.top);
  console.log(
    `busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s profiled\n\nself time by owner:`,
  );
  [...packages]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, time]) => console.log(`${percent(time)}  ${name}`));
  if (values.callers) {
    console.log(`\ncallers of ${values.callers}:`);
    [...paths]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .forEach(([name, time]) => console.log(`${percent(time)}  ${name}`));
    return;
  }
  console.log('\nhottest functions (self time):');
  [...functions]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, time]) => console.log(`${percent(time)}  ${name}`));
}

main();
