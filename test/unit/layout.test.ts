import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Folders import downwards only (CONTRIBUTING.md, "Layout"): the CDK-free contract at the bottom,
 * the runtime and the policy builders on it, the constructs, sandbox and CLI above, scripts and
 * tests on top. Until ESLint encodes it, this reads every relative import of the source folders.
 */
const ROOT = path.join(__dirname, '..', '..');

/** Folder → the folders (or single files) it may import from, itself included. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: ['contract'],
  policies: ['contract', 'policies'],
  lambda: ['contract', 'lambda'],
  lib: ['contract', 'policies', 'lib'],
  sandbox: ['contract', 'policies', 'lambda', 'sandbox'],
  cli: ['contract', 'cli', 'package.json'],
  tools: ['contract', 'tools'],
  bin: ['contract', 'policies', 'lib', 'bin'],
  // Scripts start the sandbox through its public entry only.
  scripts: ['contract', 'policies', 'lib', 'tools', 'scripts', 'sandbox/sandbox.ts'],
  'test/helpers': ['contract', 'policies', 'lib', 'lambda', 'sandbox', 'cli', 'tools', 'test'],
};

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

const allowed = (target: string, allow: readonly string[]) =>
  allow.some((a) => {
    const base = a.replace(/\.ts$/, '');
    return target === base || target.startsWith(`${base}/`);
  });

describe('folders import downwards only', () => {
  it.each(Object.keys(MAY_IMPORT))('%s/ imports only what it may', (folder) => {
    const wrong = sourceFiles(folder).flatMap((file) => importsOf(file).filter((t) => !allowed(t, MAY_IMPORT[folder])).map((t) => `${file} → ${t}`));
    expect(wrong).toEqual([]);
  });

  it('has no import cycle in the source folders', () => {
    const files = Object.keys(MAY_IMPORT).filter((f) => f !== 'test/helpers').flatMap(sourceFiles);
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

  it('catches a wrong import (negative control)', () => {
    expect(allowed('lib/broker-stack', MAY_IMPORT.lambda)).toBe(false);
    expect(allowed('sandbox/functions', MAY_IMPORT.scripts)).toBe(false);
    expect(allowed('sandbox/sandbox', MAY_IMPORT.scripts)).toBe(true);
  });
});
