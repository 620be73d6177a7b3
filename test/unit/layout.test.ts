import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Folders import downwards only (CONTRIBUTING.md, "Layout"). The rules live in one place,
 * eslint.config.mjs (`npm run lint`, run by CI); this file proves they refuse what they must, and
 * checks what ESLint does not: no import cycle among the source files.
 */
const ROOT = path.join(__dirname, '..', '..');
const SOURCE_FOLDERS = ['contract', 'policies', 'lambda', 'lib', 'sandbox', 'cli', 'tools', 'bin', 'scripts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|mjs)$/.test(name) ? [rel] : [];
  });
}

/** Each relative import of a file, as a path from the project root (without extension). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((spec) => path.normalize(path.join(path.dirname(file), spec)).replace(/\.ts$/, ''));
}

/** What the project's ESLint config says of one import written in a file at `file`: the rules it breaks. */
const IMPORTS = [
  { file: 'lambda/shared/zz-probe.ts', from: '../../lib/broker-stack', refused: true },
  { file: 'contract/zz-probe.ts', from: '../lambda/shared/log', refused: true },
  { file: 'policies/zz-probe.ts', from: '../lib/vault-key', refused: true },
  { file: 'cli/zz-probe.ts', from: '../sandbox/sandbox', refused: true },
  { file: 'lib/zz-probe.ts', from: '../sandbox/sandbox', refused: true },
  { file: 'scripts/zz-probe.ts', from: '../sandbox/functions', refused: true },
  { file: 'test/helpers/zz-probe.ts', from: '../../scripts/bench-cold', refused: true },
  // Controls: the same kind of line, pointing downwards, passes.
  { file: 'scripts/zz-probe.ts', from: '../sandbox/sandbox', refused: false },
  { file: 'sandbox/zz-probe.ts', from: '../lambda/shared/log', refused: false },
  { file: 'lib/zz-probe.ts', from: '../contract/vaults', refused: false },
  { file: 'test/unit/zz-probe.ts', from: '../../scripts/sync-sdk-overrides', refused: false },
];

/** Lints each probe as if it were that file, in one ESLint process (nothing is written to disk). */
function lintProbes(): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const probes = JSON.parse(process.argv[1]);
      const out = [];
      for (const p of probes) {
        const [result] = await eslint.lintText("import * as probe from '" + p.from + "';\\nexport const used = probe;\\n", { filePath: p.file });
        out.push(result.messages.map((m) => m.ruleId));
      }
      console.log(JSON.stringify(out));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(IMPORTS)], { cwd: ROOT, encoding: 'utf8' }));
}

describe('folders import downwards only', () => {
  let broken: string[][];
  beforeAll(() => (broken = lintProbes()), 60_000);

  it.each(IMPORTS.map((probe, i) => [probe.file.split('/')[0], probe.from, probe.refused, i] as const))(
    '%s/ importing %s: refused by the lint, %s',
    (_, __, refused, i) => {
      const rules = broken[i];
      expect(rules.some((r) => r === 'boundaries/dependencies' || r === 'no-restricted-imports')).toBe(refused);
      if (!refused) expect(rules).toEqual([]);
    },
  );

  it('has no import cycle in the source folders', () => {
    const files = SOURCE_FOLDERS.flatMap(sourceFiles);
    const graph = new Map(files.map((f) => [f.replace(/\.(ts|mjs)$/, ''), importsOf(f)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') return void cycles.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
