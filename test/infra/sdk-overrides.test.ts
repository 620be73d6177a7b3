import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * `@aws-sdk/client-snowball` 3.523.0 runs on the project's current SDK core only through the
 * overrides in package.json (docs/decisions/0001-snowball-client-overrides.md). Resolved here with
 * Node's own `require.resolve` from each package's directory, as at runtime, independently of the
 * walk in scripts/sync-sdk-overrides.ts.
 */
const ROOT = path.join(__dirname, '../..');
const SNOWBALL = '@aws-sdk/client-snowball';
const SCRIPT = path.join(ROOT, 'scripts/sync-sdk-overrides.ts');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface Copy {
  readonly dir: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
}

/** The installed copy Node loads for `name` when a module in `fromDir` requires it. */
function resolveFrom(fromDir: string, name: string): Copy {
  const require = createRequire(path.join(fromDir, 'noop.js'));
  let file: string;
  try {
    file = require.resolve(name);
  } catch {
    file = require.resolve(`${name}/package.json`); // a types-only or ESM-only entry: the package is still found here
  }
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version: string; dependencies?: Record<string, string> };
    if (pkg.name === name) return { dir: realpathSync(dir), version: pkg.version, dependencies: pkg.dependencies ?? {} };
  }
  throw new Error(`${name} resolved from ${fromDir} to ${file}, outside any package named ${name}`);
}

/** Every copy reachable from `start`'s dependencies: package name → directories. */
function graph(start: Copy): Map<string, Set<string>> {
  const copies = new Map<string, Set<string>>();
  const queue = Object.keys(start.dependencies).map((name) => ({ name, from: start.dir }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (next.name === SNOWBALL) continue;
    const copy = resolveFrom(next.from, next.name);
    if (copies.get(next.name)?.has(copy.dir)) continue;
    copies.set(next.name, (copies.get(next.name) ?? new Set()).add(copy.dir));
    for (const name of Object.keys(copy.dependencies)) queue.push({ name, from: copy.dir });
  }
  return copies;
}

interface Project {
  dependencies: Record<string, string>;
  overrides: Record<string, Record<string, string>>;
}
const project = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Project;
const pinned = project.overrides[SNOWBALL];
const snowball = resolveFrom(ROOT, SNOWBALL);
const s3 = resolveFrom(ROOT, '@aws-sdk/client-s3');
const clientRoots = Object.keys(project.dependencies).filter((name) => /^@(aws-sdk|smithy)\//.test(name) && name !== SNOWBALL);

describe("@aws-sdk/client-snowball on the project's SDK core", () => {
  it('is the 3.523.0 the overrides were written for', () => {
    expect(snowball.version).toBe('3.523.0');
  });

  it.each(Object.keys(snowball.dependencies))('loads %s as pinned, from its own directory as Node does at runtime', (name) => {
    expect(resolveFrom(snowball.dir, name).version).toBe(pinned[name]);
  });

  // The packages client-s3 and client-snowball both load: one copy, so one class of each error,
  // one middleware stack, one signer (what `instanceof` and shared config rely on).
  const shared = Object.keys(snowball.dependencies).filter((name) => name in s3.dependencies);
  it('shares the core with client-s3 (at least @aws-sdk/core, @smithy/core, @smithy/types)', () => {
    expect(shared).toEqual(expect.arrayContaining(['@aws-sdk/core', '@smithy/core', '@smithy/types', '@aws-sdk/types']));
  });
  it.each(shared)('loads the same copy of %s as client-s3', (name) => {
    const ours = resolveFrom(snowball.dir, name);
    const theirs = resolveFrom(s3.dir, name);
    expect({ dir: ours.dir, version: ours.version }).toEqual({ dir: theirs.dir, version: theirs.version });
  });

  it("reaches exactly one copy of every package in its graph, the one the project's clients use", () => {
    const clients = new Map<string, Set<string>>();
    for (const name of clientRoots) {
      const root = resolveFrom(ROOT, name);
      clients.set(name, (clients.get(name) ?? new Set()).add(root.dir));
      for (const [dep, dirs] of graph(root)) clients.set(dep, new Set([...(clients.get(dep) ?? []), ...dirs]));
    }
    const ours = graph(snowball);
    expect(ours.get('@smithy/smithy-client')?.size).toBe(1);
    const second = [...ours].filter(([name, dirs]) => new Set([...dirs, ...(clients.get(name) ?? [])]).size > 1).map(([name]) => name);
    expect(second).toEqual([]);
  });
});

describe('npm run sync:overrides -- --check', () => {
  const check = (cwd: string) => spawnSync(TSX, [SCRIPT, '--check'], { cwd, encoding: 'utf8', timeout: 30000 });

  it('passes: package.json holds the block the script would write', () => {
    const run = check(ROOT);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  /** --check in a scratch project: this package.json with one pin changed, over the installed node_modules. */
  const checkEdited = (name: string, version: string) => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'sync-overrides-check-'));
    try {
      const edited = JSON.parse(JSON.stringify(project)) as Project;
      edited.overrides[SNOWBALL][name] = version;
      const text = `${JSON.stringify(edited, null, 2)}\n`;
      writeFileSync(path.join(scratch, 'package.json'), text);
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'));
      const run = check(scratch);
      return { ...run, untouched: readFileSync(path.join(scratch, 'package.json'), 'utf8') === text };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };

  it("fails on a pin edited away from the clients' version, naming it, and writes nothing", () => {
    const run = checkEdited('@smithy/core', '0.0.1');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`~ @smithy/core 0.0.1 -> ${pinned['@smithy/core']}`);
    expect(run.stderr).toContain('Run `npm run sync:overrides`');
    expect(run.untouched).toBe(true);
  });

  it('fails on a pin only client-snowball uses that differs from the installed one, asking for npm install', () => {
    const run = checkEdited('@smithy/smithy-client', '0.0.1');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`@smithy/smithy-client: package.json pins 0.0.1 but ${pinned['@smithy/smithy-client']} is installed`);
    expect(run.untouched).toBe(true);
  });
});
