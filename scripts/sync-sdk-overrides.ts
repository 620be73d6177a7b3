/**
 * Regenerates package.json's `overrides` for `@aws-sdk/client-snowball` (3.523.0, the only version
 * the registry has) from the installed tree, so that it runs on the project's SDK core. Each package
 * it declares is pinned to the one version the project's current SDK packages use (their graph,
 * walked as Node resolves it); an `@aws-sdk/client-*` none uses, to client-s3's version; a package
 * only client-snowball uses keeps its installed version, and the install must then reach one copy
 * of every package. `npm run sync:overrides` writes the block and prints what changed;
 * `-- --check` only compares (exit 1 when it differs, 2 when no block can be derived or a second
 * copy is reached). Why, and when it can go: docs/decisions/0001-snowball-client-overrides.md.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const SNOWBALL = '@aws-sdk/client-snowball';
/** The client an `@aws-sdk/client-*` outside the clients' graph follows: the SDK releases its clients together. */
export const REFERENCE_CLIENT = '@aws-sdk/client-s3';

/** What is installed, as far as the overrides are concerned. */
export interface InstalledTree {
  /** Each package in the current clients' graph (their own dependencies, walked) → its distinct versions. */
  readonly clients: Record<string, readonly string[]>;
  /** Each of client-snowball's dependencies → the version Node finds from client-snowball's directory. */
  readonly snowball: Record<string, string>;
  /** The reference client's version. */
  readonly clientVersion: string;
}

/** The block to write, where each pin comes from, and what stops the script from writing it. */
export interface OverridesPlan {
  /** Package name → exact version, sorted by name. */
  readonly overrides: Record<string, string>;
  /** The pins taken from the clients' graph (the shared core). */
  readonly shared: string[];
  /** `@aws-sdk/client-*` packages no client uses, pinned to the reference client's version. */
  readonly lockstep: string[];
  /** Packages only client-snowball uses: the installed (pinned) version is kept; the caller proves it sits on the shared core. */
  readonly kept: string[];
  /** One sentence each; when any, nothing may be written. */
  readonly problems: string[];
}

/**
 * The rule, pure. `declared`: client-snowball's `dependencies`; `current`: package.json's block,
 * so that a pin edited by hand and not yet installed is not silently put back.
 */
export function planOverrides(declared: Record<string, string>, tree: InstalledTree, current: Record<string, string> = {}): OverridesPlan {
  const plan: OverridesPlan = { overrides: {}, shared: [], lockstep: [], kept: [], problems: [] };
  for (const name of Object.keys(declared).sort()) {
    const versions = [...new Set(tree.clients[name] ?? [])].sort();
    if (versions.length > 1) {
      plan.problems.push(
        `${name}: the current clients already use ${versions.length} copies (${versions.join(', ')}); ` +
          "align the clients' versions (or npm dedupe) first",
      );
    } else if (versions.length === 1) {
      plan.overrides[name] = versions[0];
      plan.shared.push(name);
    } else if (name.startsWith('@aws-sdk/client-')) {
      plan.overrides[name] = tree.clientVersion;
      plan.lockstep.push(name);
    } else if (current[name] && tree.snowball[name] && current[name] !== tree.snowball[name]) {
      plan.problems.push(
        `${name}: package.json pins ${current[name]} but ${tree.snowball[name]} is installed for ${SNOWBALL}, ` +
          'and no current client uses it to decide; run npm install first',
      );
    } else if (tree.snowball[name]) {
      plan.overrides[name] = tree.snowball[name];
      plan.kept.push(name);
    } else {
      plan.problems.push(
        `${name}: declared by ${SNOWBALL} but not installed and used by no current client; pin a version by hand, then npm install`,
      );
    }
  }
  return plan;
}

/** One line per difference between two blocks (`+` added, `-` removed, `~` changed), or `[]` when they are written the same. */
export function describeChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (!(name in after)) lines.push(`- ${name} ${before[name]} (no longer declared by ${SNOWBALL})`);
    else if (!(name in before)) lines.push(`+ ${name} ${after[name]}`);
    else if (before[name] !== after[name]) lines.push(`~ ${name} ${before[name]} -> ${after[name]}`);
  }
  if (lines.length === 0 && Object.keys(before).join() !== Object.keys(after).join()) lines.push('~ the same pins, now sorted by name');
  return lines;
}

/** package.json's text with the block replaced; every other key keeps its place; 2-space JSON and a trailing newline. */
export function withOverrides(packageJson: string, overrides: Record<string, string>): string {
  const pkg = JSON.parse(packageJson) as { overrides?: Record<string, unknown> };
  pkg.overrides = { ...pkg.overrides, [SNOWBALL]: overrides };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  overrides?: Record<string, Record<string, string>>;
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Where Node finds `name` when a module in `fromDir` requires it: the nearest `node_modules/name` upwards (real path). */
export function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (path.basename(dir) !== 'node_modules' && existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Every installed copy reachable from `names` required from `fromDir`: package name → copy's directory → version. */
export function reachable(names: string[], fromDir: string, skip: ReadonlySet<string> = new Set()): Map<string, Map<string, string>> {
  const copies = new Map<string, Map<string, string>>();
  const queue = names.map((name) => ({ name, from: fromDir }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const dir = skip.has(next.name) ? undefined : packageDir(next.name, next.from);
    if (!dir || copies.get(next.name)?.has(dir)) continue;
    const manifest = readManifest(dir);
    copies.set(next.name, (copies.get(next.name) ?? new Map<string, string>()).set(dir, manifest.version));
    const deps = { ...manifest.peerDependencies, ...manifest.optionalDependencies, ...manifest.dependencies };
    for (const name of Object.keys(deps)) queue.push({ name, from: dir });
  }
  return copies;
}

/** The project's current SDK packages: its direct `@aws-sdk/*` and `@smithy/*` dependencies, client-snowball aside. */
export const sdkRoots = (project: Manifest): string[] =>
  Object.keys(project.dependencies ?? {}).filter((name) => /^@(aws-sdk|smithy)\//.test(name) && name !== SNOWBALL);

/** Packages client-snowball reaches in a second copy beside the clients' (or its own): the pins that do not sit on the shared core. */
export function strays(clients: Map<string, Map<string, string>>, snowball: Map<string, Map<string, string>>): string[] {
  const found: string[] = [];
  for (const [name, ours] of snowball) {
    const all = new Map([...(clients.get(name) ?? []), ...ours]);
    if (all.size > 1) found.push(`${name}: ${all.size} copies in the graph (${[...all].map(([dir, v]) => `${v} in ${dir}`).join('; ')})`);
  }
  return found;
}

/** The plan for the project in `rootDir`, the block it has now, and the second copies its install reaches. */
export function syncPlan(rootDir: string): OverridesPlan & { current: Record<string, string>; strays: string[] } {
  const project = readManifest(rootDir);
  const current = project.overrides?.[SNOWBALL] ?? {};
  const problems: string[] = [];
  for (const name of [SNOWBALL, ...sdkRoots(project)]) {
    const dir = packageDir(name, rootDir);
    const wanted = project.dependencies?.[name] ?? '';
    if (!dir) problems.push(`${name} is not installed: run npm install first`);
    else if (/^\d+\.\d+\.\d+$/.test(wanted) && readManifest(dir).version !== wanted) {
      problems.push(`package.json asks for ${name}@${wanted} but ${readManifest(dir).version} is installed: run npm install first`);
    }
  }
  if (problems.length) return { overrides: current, shared: [], lockstep: [], kept: [], problems, current, strays: [] };
  const snowballDir = packageDir(SNOWBALL, rootDir)!;
  const declared = readManifest(snowballDir).dependencies ?? {};
  const clients = reachable(sdkRoots(project), rootDir, new Set([SNOWBALL]));
  const snowball = reachable(Object.keys(declared), snowballDir);
  const tree: InstalledTree = {
    clients: Object.fromEntries([...clients].map(([name, copies]) => [name, [...copies.values()]])),
    snowball: Object.fromEntries(
      Object.keys(declared).flatMap((name) => {
        const dir = packageDir(name, snowballDir);
        return dir ? [[name, readManifest(dir).version]] : [];
      }),
    ),
    clientVersion: readManifest(packageDir(REFERENCE_CLIENT, rootDir)!).version,
  };
  const relative = (line: string) => line.split(`${realpathSync(rootDir)}${path.sep}`).join('');
  return { ...planOverrides(declared, tree, current), current, strays: strays(clients, snowball).map(relative) };
}

const indent = (lines: string[]) => lines.map((line) => `  ${line}`).join('\n');
const USAGE = 'usage: npm run sync:overrides [-- --check]';
const STRAY_HELP =
  'If npm install has not run since the last sync, run it. Otherwise the package whose node_modules holds the copy is pinned ' +
  "to a release built on another core: pin one built on the clients' core by hand (npm view <package>@<version> dependencies), " +
  'npm install, then this again.';

/**
 * `npm run sync:overrides [-- --check]` in `rootDir`. Exit 0: in step (or written); 1: `--check` and
 * the block differs; 2: no block can be derived, or client-snowball's install reaches a second copy.
 */
export function main(argv: string[], rootDir = process.cwd()): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length) return fail(`unexpected argument "${unknown[0]}": ${USAGE}`, 2);
  const plan = syncPlan(rootDir);
  if (plan.problems.length)
    return fail(`The overrides for ${SNOWBALL} cannot be derived from the installed tree:\n${indent(plan.problems)}`, 2);
  const file = path.join(rootDir, 'package.json');
  const text = readFileSync(file, 'utf8');
  const next = withOverrides(text, plan.overrides);
  const changes = describeChanges(plan.current, plan.overrides);
  const listed = indent(changes.length ? changes : ['~ formatting']);
  const summary =
    `${plan.shared.length} from the clients' graph, ${plan.lockstep.length} at ${REFERENCE_CLIENT}'s version ` +
    `(${plan.lockstep.join(', ')}), ${plan.kept.length} used only by ${SNOWBALL} and kept`;
  if (next !== text && argv.includes('--check')) {
    return fail(
      `package.json's overrides for ${SNOWBALL} are not what \`npm run sync:overrides\` would write:\n${listed}\n` +
        'Run `npm run sync:overrides`, then `npm install` and `npm test` (CONTRIBUTING.md, "Bumping the AWS SDK").',
      1,
    );
  }
  if (next !== text) {
    writeFileSync(file, next);
    console.log(`package.json: the overrides for ${SNOWBALL} (${summary}) changed:\n${listed}`);
    console.log('Now run `npm install`, then this again: it checks that client-snowball reaches no second copy of any package.');
    return 0;
  }
  if (plan.strays.length) {
    const second = `package.json's overrides for ${SNOWBALL} are in step with the clients, but it reaches a second copy of:`;
    return fail(`${second}\n${indent(plan.strays)}\n${STRAY_HELP}`, 2);
  }
  const count = Object.keys(plan.overrides).length;
  console.log(
    `package.json's ${count} overrides for ${SNOWBALL} match the installed clients (${summary}), and it reaches one copy of every package.`,
  );
  return 0;
}

function fail(message: string, code: number): number {
  console.error(message);
  return code;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
