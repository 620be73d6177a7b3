/**
 * Cold-start figures for the README: each function's bundle size, and the time a fresh Node
 * process takes to load the bundle (which builds its SDK clients at module scope) compared with
 * loading an empty module. Run with `npm run bench:cold`; it synthesizes with real bundling.
 */
import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BrokerStack } from '../lib/broker-stack';
import { parseConfig } from '../lib/config';
import { bundlePaths, cdkJsonContext, FAKE_FUNCTION_ENV } from './bundles';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function bundles(): Record<string, string> {
  const app = new App({ context: cdkJsonContext(), outdir: mkdtempSync(path.join(tmpdir(), 'bench-')) });
  const stack = new BrokerStack(app, 'Bench', { config: parseConfig((k) => app.node.tryGetContext(k)) });
  return bundlePaths(app.synth(), stack.stackName);
}

/** Milliseconds from process start to the module having loaded, measured inside the process. */
function loadMs(file: string): number {
  const code = `await import(${JSON.stringify(file)}); console.log(performance.now());`;
  const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], {
    env: { ...process.env, ...FAKE_FUNCTION_ENV },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.trim().split('\n').pop());
}

function median(file: string): number {
  const times = Array.from({ length: RUNS }, () => loadMs(file)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const empty = path.join(mkdtempSync(path.join(tmpdir(), 'bench-empty-')), 'empty.mjs');
writeFileSync(empty, 'export const handler = async () => ({});\n');
const baseline = median(empty);
console.log(`node ${process.version}, ${RUNS} runs each, median; empty module: ${baseline.toFixed(1)} ms\n`);
console.log('| function | bundle | gzipped | load + clients | over empty module |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, file] of Object.entries(bundles())) {
  const bytes = statSync(file).size;
  const gz = gzipSync(readFileSync(file)).length;
  const ms = median(file);
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`| ${name} | ${kib(bytes)} | ${kib(gz)} | ${ms.toFixed(1)} ms | +${(ms - baseline).toFixed(1)} ms |`);
}
