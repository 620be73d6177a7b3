/**
 * Cold-start figures for the README, on the Lambda runtime's Node (24, installed on demand): each
 * function's bundle size, the time a fresh process takes to load it (which builds its SDK clients)
 * against an empty module, measured in interleaved rounds (bundle, empty, bundle, …) with paired
 * ratios, and the first request of each API bundle against the sandbox's stand-ins.
 * `npm run bench:cold` (BENCH_RUNS rounds, default 15); it synthesizes with real bundling.
 */
import { App } from 'aws-cdk-lib';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { routeTemplate } from '../contract/api';
import { functionLogicalIdPrefix, OPERATOR_KINDS, type OperatorKind } from '../contract/vaults';
import { BrokerStack } from '../lib/broker-stack';
import { parseConfig } from '../lib/config';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';
import { bundlePaths, cdkJsonContext, FAKE_FUNCTION_ENV } from '../tools/bundles';
import { installNode24 } from '../tools/node24';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const NODE = installNode24();
/** The API functions, by logical-id prefix: their first request is timed too. */
const API: Record<string, OperatorKind> = Object.fromEntries(OPERATOR_KINDS.map((kind) => [functionLogicalIdPrefix(kind, 'api'), kind]));

function bundles(): Record<string, string> {
  const app = new App({ context: cdkJsonContext(), outdir: mkdtempSync(path.join(tmpdir(), 'bench-')) });
  const stack = new BrokerStack(app, 'Bench', { config: parseConfig((k) => app.node.tryGetContext(k)) });
  return bundlePaths(app.synth(), stack.stackName);
}

/** Runs `code` (an ES module body) in a fresh Node 24 process; resolves with the last line it prints. */
function run(code: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(
      NODE,
      ['--no-warnings', '--input-type=module', '-e', code],
      { env: { PATH: process.env.PATH, ...env } },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(Number(stdout.trim().split('\n').pop()))),
    ),
  );
}

/** Milliseconds from process start to the module having loaded, measured inside the process. */
const loadMs = (file: string) => run(`await import(${JSON.stringify(file)}); console.log(performance.now());`, FAKE_FUNCTION_ENV);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

/** Interleaved rounds of bundle and empty module, so machine noise hits both alike. */
async function coldStart(file: string, empty: string) {
  const loads: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const bundle = await loadMs(file);
    const baseline = await loadMs(empty);
    loads.push(bundle);
    ratios.push(bundle / baseline);
  }
  return { loads, ratios };
}

/** The first request of a fresh process: a POST brokering a new WithCustomer job, over HTTP to the stand-ins. */
async function firstRequest(sandbox: Sandbox, file: string, kind: OperatorKind): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 7); i++) {
    const added = await fetch(`${sandbox.info.adminUrl}jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'WithCustomer' }),
    });
    const { jobId } = (await added.json()) as { jobId: string };
    const caller = sandbox.principals[kind].callerArn;
    const event = {
      httpMethod: 'POST',
      resource: routeTemplate(kind),
      pathParameters: { jobId },
      requestContext: { identity: { userArn: caller } },
    };
    const code = `const m = await import(${JSON.stringify(file)}); const t = performance.now(); const r = await m.handler(${JSON.stringify(event)}); if (r.statusCode !== 201) throw new Error('status ' + r.statusCode); console.log(performance.now() - t);`;
    times.push(await run(code, sandbox.functionEnv[kind]));
  }
  return times;
}

async function main(): Promise<void> {
  const empty = path.join(mkdtempSync(path.join(tmpdir(), 'bench-empty-')), 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({});\n');
  const files = bundles();
  const sandbox = await startSandbox({ port: 0, functionLog: () => undefined, alertLog: () => undefined });
  try {
    console.log(
      `Node ${await run('console.log(process.versions.node.split(".")[0])', {})} (${path.basename(path.dirname(path.dirname(NODE)))}), ${process.arch}, ${cpus().length} cores; ${RUNS} interleaved rounds; median (min–max)\n`,
    );
    console.log('| function | bundle | gzipped | load + clients | × empty module | first request (sandbox) |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, file] of Object.entries(files)) {
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      const { loads, ratios } = await coldStart(file, empty);
      const first = API[name] ? await firstRequest(sandbox, file, API[name]) : undefined;
      const firstText = first ? `${median(first).toFixed(0)} ms (${range(first)})` : '-';
      console.log(
        `| ${name} | ${kib(statSync(file).size)} | ${kib(gzipSync(readFileSync(file)).length)} | ${median(loads).toFixed(0)} ms (${range(loads)}) | ${median(ratios).toFixed(1)}× (${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}) | ${firstText} |`,
      );
    }
  } finally {
    await sandbox.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
