/**
 * The operator CLI's start-up, as an operator meets it: the wall time of one
 * `snowball-broker get-unlock-code` against the sandbox, beside one bare `aws --version` on the
 * same machine, in interleaved rounds. Target: at most half the AWS CLI's. `npm run bench:cli`
 * (BENCH_RUNS rounds, default 15); run `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { startSandbox } from '../sandbox/sandbox';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BIN = path.join(__dirname, '..', 'bin', 'snowball-broker.js');
const HOME = mkdtempSync(path.join(tmpdir(), 'bench-cli-'));

function wallMs(file: string, args: string[], env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) =>
    execFile(file, args, { env: { PATH: process.env.PATH, HOME, ...env } }, (err, _stdout, stderr) =>
      err ? reject(new Error(`${path.basename(file)} failed: ${stderr}`)) : resolve(Number(process.hrtime.bigint() - started) / 1e6),
    ),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const sandbox = await startSandbox({ port: 0, functionLog: () => undefined, alertLog: () => undefined });
  try {
    const job = sandbox.info.jobs[0].jobId;
    const who = sandbox.principals.unlockCode;
    const env = {
      AWS_REGION: sandbox.info.region,
      AWS_ACCESS_KEY_ID: who.accessKeyId,
      AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
      AWS_SESSION_TOKEN: who.sessionToken,
      SNOWBALL_BROKER_API_URL: sandbox.info.apiUrl,
    };
    await wallMs(process.execPath, [BIN, 'fetch-unlock-code', '--job-id', job], env);
    const cli: number[] = [];
    const aws: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      cli.push(await wallMs(process.execPath, [BIN, 'get-unlock-code', '--job-id', job], env));
      aws.push(await wallMs('aws', ['--version'], {}));
    }
    const ratio = median(cli.map((c, i) => c / aws[i]));
    console.log(`Node ${process.versions.node}, ${process.arch}, ${cpus().length} cores; ${RUNS} interleaved rounds, medians`);
    console.log(`snowball-broker get-unlock-code (against the sandbox): ${median(cli).toFixed(0)} ms`);
    console.log(`aws --version:                                        ${median(aws).toFixed(0)} ms`);
    console.log(`ratio (paired): ${ratio.toFixed(2)} (target ≤ 0.50) ${ratio <= 0.5 ? 'met' : 'NOT met'}`);
  } finally {
    await sandbox.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
