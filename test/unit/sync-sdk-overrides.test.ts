import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  describeChanges,
  InstalledTree,
  main,
  packageDir,
  planOverrides,
  reachable,
  REFERENCE_CLIENT as S3,
  SNOWBALL,
  strays,
  withOverrides,
} from '../../scripts/sync-sdk-overrides';

/** Installs a package stub (a package.json) in `dir`/node_modules; returns its directory. */
function put(dir: string, name: string, version: string, dependencies: Record<string, string> = {}): string {
  mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
  writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version, dependencies }));
  return path.join(dir, 'node_modules', name);
}

/** The rule behind `npm run sync:overrides`: which version client-snowball's every dependency is pinned to. */
describe('planOverrides', () => {
  const tree: InstalledTree = {
    clients: { '@smithy/core': ['3.41.0'], '@aws-sdk/core': ['3.981.0'], tslib: ['2.9.1'] },
    snowball: { '@smithy/core': '3.41.0', '@smithy/smithy-client': '4.15.2', '@aws-sdk/client-sts': '3.523.0' },
    clientVersion: '3.1169.0',
  };

  it("pins a package the clients use to the clients' version, not to the range client-snowball declares", () => {
    const plan = planOverrides({ '@smithy/core': '^1.3.4', tslib: '^2.5.0' }, tree);
    expect(plan.overrides).toEqual({ '@smithy/core': '3.41.0', tslib: '2.9.1' });
    expect(plan.shared).toEqual(['@smithy/core', 'tslib']);
    expect(plan.problems).toEqual([]);
  });

  it("pins an @aws-sdk client no current client uses to the reference client's version (the SDK releases its clients together)", () => {
    const plan = planOverrides({ '@aws-sdk/client-sts': '3.523.0' }, tree);
    expect(plan.overrides).toEqual({ '@aws-sdk/client-sts': '3.1169.0' });
    expect(plan.lockstep).toEqual(['@aws-sdk/client-sts']);
  });

  it('keeps the installed version of a package only client-snowball uses, and says so', () => {
    const plan = planOverrides({ '@smithy/smithy-client': '^2.4.1' }, tree);
    expect(plan.overrides).toEqual({ '@smithy/smithy-client': '4.15.2' });
    expect(plan.kept).toEqual(['@smithy/smithy-client']);
  });

  it('refuses a package the clients already use in two versions, naming both', () => {
    const plan = planOverrides({ '@smithy/types': '^2.10.1' }, { ...tree, clients: { '@smithy/types': ['4.20.0', '4.19.0', '4.20.0'] } });
    expect(plan.overrides).toEqual({});
    expect(plan.problems).toEqual([
      expect.stringMatching(/^@smithy\/types: the current clients already use 2 copies \(4\.19\.0, 4\.20\.0\)/),
    ]);
  });

  it('refuses a package that is neither installed nor used by a client, rather than dropping its pin', () => {
    const plan = planOverrides({ '@smithy/url-parser': '^2.1.3' }, tree);
    expect(plan.overrides).toEqual({});
    expect(plan.problems).toEqual([expect.stringContaining('@smithy/url-parser: declared by @aws-sdk/client-snowball but not installed')]);
  });

  it('refuses to put back a pin of a package only client-snowball uses that was edited by hand and not yet installed', () => {
    const plan = planOverrides({ '@smithy/smithy-client': '^2.4.1' }, tree, { '@smithy/smithy-client': '4.16.0' });
    expect(plan.overrides).toEqual({});
    expect(plan.problems).toEqual([expect.stringContaining('@smithy/smithy-client: package.json pins 4.16.0 but 4.15.2 is installed')]);
  });

  it('writes the pins sorted by name, whatever order they are declared in', () => {
    const plan = planOverrides({ tslib: '^2.5.0', '@smithy/core': '^1.3.4', '@aws-sdk/core': '3.523.0' }, tree);
    expect(Object.keys(plan.overrides)).toEqual(['@aws-sdk/core', '@smithy/core', 'tslib']);
  });
});

describe('describeChanges', () => {
  it('lists added, removed and changed pins, by name', () => {
    expect(describeChanges({ b: '1.0.0', a: '1.0.0', c: '1.0.0' }, { a: '2.0.0', c: '1.0.0', d: '1.0.0' })).toEqual([
      '~ a 1.0.0 -> 2.0.0',
      '- b 1.0.0 (no longer declared by @aws-sdk/client-snowball)',
      '+ d 1.0.0',
    ]);
  });

  it('says when only the order changes, and nothing when the blocks are the same', () => {
    expect(describeChanges({ b: '1', a: '1' }, { a: '1', b: '1' })).toEqual(['~ the same pins, now sorted by name']);
    expect(describeChanges({ a: '1', b: '1' }, { a: '1', b: '1' })).toEqual([]);
  });
});

describe('withOverrides', () => {
  const pkg = { name: 'x', scripts: { t: 'jest' }, overrides: { other: '1.0.0', '@aws-sdk/client-snowball': { a: '1' } }, bin: {} };
  const text = `${JSON.stringify(pkg, null, 2)}\n`;

  it('replaces only the client-snowball block: keys keep their places, 2-space JSON, a trailing newline', () => {
    const written = withOverrides(text, { a: '2', b: '3' });
    expect(written).toBe(text.replace('"a": "1"', '"a": "2",\n      "b": "3"'));
  });

  it("leaves the project's package.json byte for byte when given its own block", () => {
    const own = readFileSync(path.join(__dirname, '../../package.json'), 'utf8');
    expect(withOverrides(own, JSON.parse(own).overrides['@aws-sdk/client-snowball'])).toBe(own);
  });
});

/** A node_modules tree on disk: where Node finds each package, and which copies a graph reaches. */
describe('the installed-tree walk', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sync-overrides-'));
    put(root, '@x/client', '3.0.0', { '@x/core': '^3.0.0' });
    put(root, '@x/core', '3.1.0');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the nearest copy upwards, as Node does', () => {
    const snow = put(root, '@x/snow', '1.0.0', { '@x/core': '^1.0.0' });
    const nested = put(snow, '@x/core', '1.0.0');
    expect(packageDir('@x/core', snow)).toBe(nested);
    expect(packageDir('@x/core', path.join(root, 'node_modules/@x/client'))).toBe(path.join(root, 'node_modules/@x/core'));
    expect(packageDir('@x/absent', snow)).toBeUndefined();
  });

  it('reports a second copy client-snowball reaches beside the clients', () => {
    const snow = put(root, '@x/snow', '1.0.0', { '@x/helper': '^1.0.0' });
    const helper = put(snow, '@x/helper', '1.0.0', { '@x/core': '^1.0.0' });
    put(helper, '@x/core', '1.0.0');
    const clients = reachable(['@x/client'], root, new Set(['@x/snow']));
    expect(strays(clients, reachable(['@x/helper'], snow))).toEqual([
      `@x/core: 2 copies in the graph (3.1.0 in ${realpathSync(root)}/node_modules/@x/core; 1.0.0 in ${realpathSync(helper)}/node_modules/@x/core)`,
    ]);
  });

  it("reports nothing when client-snowball reaches the clients' copy", () => {
    const snow = put(root, '@x/snow', '1.0.0', { '@x/helper': '^1.0.0', '@x/core': '^1.0.0' });
    put(root, '@x/helper', '1.0.0', { '@x/core': '^3.0.0' });
    const clients = reachable(['@x/client', '@x/snow'], root, new Set(['@x/snow']));
    expect([...clients.keys()]).toEqual(['@x/client', '@x/core']);
    expect(strays(clients, reachable(['@x/helper', '@x/core'], snow))).toEqual([]);
  });
});

/** The whole command on a small project: an SDK bump as a maintainer does it (CONTRIBUTING.md). */
describe('npm run sync:overrides on a project', () => {
  let root: string;
  let out: string[];
  const manifest = (s3: string, block: Record<string, string>) =>
    `${JSON.stringify({ name: 'p', dependencies: { [S3]: s3, [SNOWBALL]: '3.523.0' }, overrides: { [SNOWBALL]: block } }, null, 2)}\n`;
  const run = (...argv: string[]) => main(argv, root);
  const written = () => JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).overrides['@aws-sdk/client-snowball'];

  // client-s3 bumped to 3.2.0 (on @smithy/core 3.42.0) and installed; client-snowball still pinned to 3.41.0, nested.
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sync-overrides-main-'));
    const before = { '@aws-sdk/client-sts': '3.1.0', '@smithy/core': '3.41.0', '@smithy/smithy-client': '4.15.2' };
    writeFileSync(path.join(root, 'package.json'), manifest('3.2.0', before));
    put(root, S3, '3.2.0', { '@smithy/core': '^3.42.0' });
    put(root, '@smithy/core', '3.42.0');
    put(root, '@smithy/smithy-client', '4.15.2', { '@smithy/core': '^3.33.2' });
    const declared = { '@aws-sdk/client-sts': '3.523.0', '@smithy/core': '^1.3.4', '@smithy/smithy-client': '^2.4.1' };
    const snowball = put(root, SNOWBALL, '3.523.0', declared);
    put(snowball, '@aws-sdk/client-sts', '3.1.0', { '@smithy/core': '^3.40.0' });
    put(snowball, '@smithy/core', '3.41.0');
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });

  it('--check fails on the old block, naming each pin that moves, and writes nothing', () => {
    const before = readFileSync(path.join(root, 'package.json'), 'utf8');
    expect(run('--check')).toBe(1);
    expect(out.join('\n')).toContain('  ~ @aws-sdk/client-sts 3.1.0 -> 3.2.0\n  ~ @smithy/core 3.41.0 -> 3.42.0\n');
    expect(readFileSync(path.join(root, 'package.json'), 'utf8')).toBe(before);
  });

  it("writes the clients' versions, then refuses the stale install until npm install has run, then passes", () => {
    expect(run()).toBe(0);
    expect(written()).toEqual({ '@aws-sdk/client-sts': '3.2.0', '@smithy/core': '3.42.0', '@smithy/smithy-client': '4.15.2' });
    expect(run('--check')).toBe(2);
    expect(out.join('\n')).toContain(
      'reaches a second copy of:\n  @smithy/core: 2 copies in the graph ' +
        '(3.42.0 in node_modules/@smithy/core; 3.41.0 in node_modules/@aws-sdk/client-snowball/node_modules/@smithy/core)',
    );
    // What npm install does with the new block: client-snowball's copies give way to the shared ones.
    rmSync(path.join(root, 'node_modules/@aws-sdk/client-snowball/node_modules'), { recursive: true });
    put(root, '@aws-sdk/client-sts', '3.2.0', { '@smithy/core': '^3.40.0' });
    out = [];
    expect(run('--check')).toBe(0);
    expect(out).toEqual([
      expect.stringContaining(
        "match the installed clients (1 from the clients' graph, 1 at @aws-sdk/client-s3's version (@aws-sdk/client-sts), " +
          '1 used only by @aws-sdk/client-snowball and kept)',
      ),
    ]);
  });

  it('refuses to derive anything from clients not installed at the version package.json asks for', () => {
    writeFileSync(path.join(root, 'package.json'), manifest('3.3.0', {}));
    expect(run()).toBe(2);
    expect(out.join('\n')).toContain('package.json asks for @aws-sdk/client-s3@3.3.0 but 3.2.0 is installed: run npm install first');
    expect(written()).toEqual({});
  });

  it('refuses an unknown argument', () => {
    expect(run('--fix')).toBe(2);
    expect(out).toEqual(['unexpected argument "--fix": usage: npm run sync:overrides [-- --check]']);
  });
});
