import { readFileSync } from 'node:fs';
import path from 'node:path';

import { apiCompare, type Diff, type DiffType } from 'api-smart-diff';

/**
 * Breaking-change gate: compares openapi.json with openapi.released.json (the last released
 * contract) with api-smart-diff, over the operations (`paths`) and the `components`, and prints
 * every change with its classification and location.
 *
 * Both parts are read because each misses what the other sees: a type change inside a shared
 * schema is classified breaking only under `components`; the direction of a change (request or
 * response) is known only under `paths`. A change counts as blocking when either calls it
 * breaking. "Unclassified" changes block too: the tool could not tell whether clients survive
 * them, and a gate must not let through what nobody has judged; acknowledging them costs a major
 * version and a changelog line, letting a real break through costs clients.
 *
 * Rule: with any blocking change the gate fails unless both
 *  1. the major of openapi.json's info.version is greater than openapi.released.json's, and
 *  2. CHANGELOG.md has a section for that version (`## [X.Y.Z]`) that names every blocking change
 *     in backticks: its operation (`GET /v1/posts`), or the component it is defined in (`PostType`;
 *     a change reached through a $ref is defined in the referenced component). Components are named
 *     by their bare name. The gate prints the names it accepts for each change.
 *
 * Before comparing, a schema that is `allOf` of a single $ref with only annotations beside it
 * (description, nullable, ...), which is how @nestjs/swagger writes a described or nullable
 * reference, is replaced by the referenced schema plus those annotations, in both documents.
 * Otherwise api-smart-diff reports moving an inline copy into a named component as dozens of
 * breaking changes.
 */

type JsonObject = Record<string, unknown>;
type JsonPath = ReadonlyArray<string | number>;

export interface Change {
  type: DiffType;
  action: Diff['action'];
  /** Where in the document, e.g. paths["/v1/posts"].get.parameters[2].required */
  location: string;
  /** The operation (`GET /v1/posts`), path, component or top-level key the change is in. */
  subject: string;
  /** The component the changed part is defined in, when it was reached through a $ref. */
  definedIn?: string;
  description: string;
}

export interface Verdict {
  ok: boolean;
  releasedVersion: string;
  currentVersion: string;
  changes: Change[];
  /** Breaking and unclassified changes. */
  blocking: Change[];
  /** Blocking changes that the changelog section does not name (empty unless the rest holds). */
  unlisted: Change[];
  summary: string;
}

export interface GateInput {
  released: unknown;
  current: unknown;
  changelog: string;
}

const BLOCKING: ReadonlySet<DiffType> = new Set<DiffType>(['breaking', 'unclassified']);
const ORDER: readonly DiffType[] = ['breaking', 'unclassified', 'deprecated', 'non-breaking', 'annotation'];
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const ANNOTATIONS = new Set([
  'description',
  'title',
  'example',
  'examples',
  'nullable',
  'deprecated',
  'readOnly',
  'writeOnly',
  'externalDocs',
]);
const SCHEMA_REF = '#/components/schemas/';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: unknown, key: string | number): unknown {
  if (Array.isArray(node)) {
    return node[Number(key)];
  }
  return isObject(node) ? node[String(key)] : undefined;
}

function schemasOf(doc: unknown): JsonObject {
  const schemas = child(child(doc, 'components'), 'schemas');
  return isObject(schemas) ? schemas : {};
}

function refName(node: unknown): string | undefined {
  const ref = isObject(node) ? node.$ref : undefined;
  return typeof ref === 'string' && ref.startsWith(SCHEMA_REF) ? ref.slice(SCHEMA_REF.length) : undefined;
}

/** The name of the one schema `node` is allOf of, when nothing but annotations sits beside it. */
function wrappedRef(node: JsonObject): string | undefined {
  const { allOf, ...siblings } = node;
  if (
    !Array.isArray(allOf) ||
    allOf.length !== 1 ||
    !isObject(allOf[0]) ||
    Object.keys(allOf[0]).length !== 1
  ) {
    return undefined;
  }
  return Object.keys(siblings).every((key) => ANNOTATIONS.has(key)) ? refName(allOf[0]) : undefined;
}

/** See the header: unwraps single-$ref allOf; records which component each inlined copy came from. */
function normalise(doc: unknown, origins: WeakMap<object, string>): unknown {
  const schemas = schemasOf(doc);
  const visit = (node: unknown, inlining: readonly string[]): unknown => {
    if (Array.isArray(node)) {
      return node.map((item) => visit(item, inlining));
    }
    if (!isObject(node)) {
      return node;
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = visit(value, inlining);
    }
    const name = wrappedRef(out);
    if (name === undefined) {
      return out;
    }
    const { allOf, ...siblings } = out;
    if (Object.keys(siblings).length === 0) {
      return (allOf as unknown[])[0];
    }
    const target = schemas[name];
    if (!isObject(target) || inlining.includes(name)) {
      return out;
    }
    const inlined = { ...(visit(target, [...inlining, name]) as JsonObject), ...siblings };
    origins.set(inlined, name);
    return inlined;
  };
  return visit(doc, []);
}

/** The innermost component the node at `at` was reached through ($ref or inlined copy). */
function definedIn(doc: unknown, at: JsonPath, origins: WeakMap<object, string>): string | undefined {
  const schemas = schemasOf(doc);
  let node = doc;
  let owner: string | undefined;
  const seen = new Set<unknown>();
  for (const key of at) {
    for (let name = refName(node); name !== undefined && !seen.has(node); name = refName(node)) {
      seen.add(node);
      owner = name;
      node = schemas[name];
    }
    if (isObject(node) && origins.has(node)) {
      owner = origins.get(node);
    }
    node = child(node, key);
    if (node === undefined) {
      break;
    }
  }
  return owner;
}

function location(at: JsonPath): string {
  return at
    .map((key, index) => {
      if (typeof key === 'number') {
        return `[${key}]`;
      }
      return /^[A-Za-z_$][\w$]*$/.test(key) ? `${index ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
    })
    .join('');
}

function subjectOf(at: JsonPath): string {
  const [top, second, third] = at.map(String);
  if (top === 'paths' && second !== undefined) {
    return third !== undefined && METHODS.has(third) ? `${third.toUpperCase()} ${second}` : second;
  }
  if (top === 'components' && third !== undefined) {
    return third;
  }
  return top ?? '(document)';
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeDiff(diff: Diff): string {
  const values =
    diff.action === 'add'
      ? brief(diff.after)
      : diff.action === 'remove'
        ? brief(diff.before)
        : `${brief(diff.before)} -> ${brief(diff.after)}`;
  return diff.description ? `${diff.description} (${values})` : `${diff.action} ${values}`;
}

/** The names a changelog section may use for a change: its subject, or where it is defined. */
export function namesFor(change: Change): string[] {
  return change.definedIn && change.definedIn !== change.subject
    ? [change.subject, change.definedIn]
    : [change.subject];
}

export function majorOf(version: string): number | undefined {
  const match = /^v?(\d+)\.\d+\.\d+/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

/** The text of the `## [version]` (or `## version`) section, up to the next `## ` heading. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split(/\r?\n/);
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const heading = new RegExp(`^##\\s+\\[?v?${escaped}\\]?(\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) {
    return undefined;
  }
  const end = lines.findIndex((line, index) => index > start && /^##\s/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

function backticked(text: string): Set<string> {
  return new Set([...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1].trim()));
}

function versionOf(doc: unknown): string {
  const version = child(child(doc, 'info'), 'version');
  return typeof version === 'string' ? version : '';
}

/**
 * Whether a change lies inside an `example` or `examples` (of a media type, a parameter or a schema):
 * documentation, which no client depends on, though the diff library leaves additions to an `examples`
 * map unclassified. A property that happens to be named so (`properties.examples`) is not one.
 */
function isExample(at: JsonPath): boolean {
  return at.some((key, index) => (key === 'example' || key === 'examples') && at[index - 1] !== 'properties');
}

/** Every change from the released contract to the current one, the blocking ones first. */
export function compareContracts(released: unknown, current: unknown): Change[] {
  const origins = new WeakMap<object, string>();
  const before = normalise(released, origins);
  const after = normalise(current, origins);
  return apiCompare(before, after)
    .diffs.map((diff): Change => {
      const at = diff.path;
      const owner = definedIn(diff.action === 'remove' ? before : after, at, origins);
      const subject = subjectOf(at);
      return {
        type: isExample(at) ? 'annotation' : diff.type,
        action: diff.action,
        location: location(at),
        subject,
        ...(owner !== undefined && owner !== subject ? { definedIn: owner } : {}),
        description: describeDiff(diff),
      };
    })
    .sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
}

export interface JudgeInput {
  changes: Change[];
  releasedVersion: string;
  currentVersion: string;
  changelog: string;
}

/** The rule of the header applied to a list of changes. */
export function judge({ changes, releasedVersion, currentVersion, changelog }: JudgeInput): Verdict {
  const blocking = changes.filter((change) => BLOCKING.has(change.type));
  const verdict = { releasedVersion, currentVersion, changes, blocking, unlisted: [] as Change[] };
  if (changes.length === 0) {
    return { ...verdict, ok: true, summary: `No changes since the released contract ${releasedVersion}.` };
  }
  if (blocking.length === 0) {
    return { ...verdict, ok: true, summary: `No breaking change (${changes.length} other changes).` };
  }
  const count = `${blocking.length} breaking or unclassified change(s)`;
  const releasedMajor = majorOf(releasedVersion);
  const currentMajor = majorOf(currentVersion);
  if (releasedMajor === undefined || currentMajor === undefined || currentMajor <= releasedMajor) {
    return {
      ...verdict,
      ok: false,
      summary:
        `${count}, and info.version ${currentVersion || '(none)'} is not a major version above the released ` +
        `${releasedVersion || '(none)'}: undo them, or raise the major version (package.json, then ` +
        '`npm run openapi`) and list them in CHANGELOG.md.',
    };
  }
  const section = changelogSection(changelog, currentVersion);
  if (section === undefined) {
    return {
      ...verdict,
      ok: false,
      summary: `${count} in major version ${currentVersion}, but CHANGELOG.md has no "## [${currentVersion}]" section.`,
    };
  }
  const named = backticked(section);
  const unlisted = blocking.filter((change) => !namesFor(change).some((name) => named.has(name)));
  if (unlisted.length > 0) {
    return {
      ...verdict,
      unlisted,
      ok: false,
      summary:
        `${unlisted.length} of the ${count} in ${currentVersion} are not named in backticks in its ` +
        'CHANGELOG.md section (the names it accepts are listed above).',
    };
  }
  return {
    ...verdict,
    ok: true,
    summary: `${count}, released as major version ${currentVersion} and listed in CHANGELOG.md.`,
  };
}

export function formatVerdict(verdict: Verdict): string {
  const lines = [
    `openapi.released.json ${verdict.releasedVersion} -> openapi.json ${verdict.currentVersion}`,
  ];
  // Annotations (descriptions, examples) are counted, not listed: they cannot break a client.
  for (const change of verdict.changes.filter((change) => change.type !== 'annotation')) {
    const where = change.definedIn ? `${change.subject} (defined in ${change.definedIn})` : change.subject;
    lines.push(`  ${change.type.padEnd(12)} ${where} at ${change.location}: ${change.description}`);
  }
  const counts = ORDER.map((type) => ({
    type,
    n: verdict.changes.filter((change) => change.type === type).length,
  }))
    .filter(({ n }) => n > 0)
    .map(({ type, n }) => `${n} ${type}`);
  if (counts.length) {
    lines.push(`Changes: ${counts.join(', ')}.`);
  }
  for (const change of verdict.unlisted) {
    lines.push(`  not in CHANGELOG.md: ${namesFor(change).join(' or ')} (${change.location})`);
  }
  lines.push(`${verdict.ok ? 'PASS' : 'FAIL'}: ${verdict.summary}`);
  return lines.join('\n');
}

/** The whole gate, without I/O: the two documents and CHANGELOG.md's text in, the verdict out. */
export function checkBreakingChanges({ released, current, changelog }: GateInput): Verdict {
  return judge({
    changes: compareContracts(released, current),
    releasedVersion: versionOf(released),
    currentVersion: versionOf(current),
    changelog,
  });
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
  const verdict = checkBreakingChanges({
    released: JSON.parse(read('openapi.released.json')),
    current: JSON.parse(read('openapi.json')),
    changelog: read('CHANGELOG.md'),
  });
  console.log(formatVerdict(verdict));
  process.exitCode = verdict.ok ? 0 : 1;
}

if (require.main === module) {
  main();
}
