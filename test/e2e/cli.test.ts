import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { SandboxPrincipal } from '../../sandbox/identities';
import { expectOneLineFailure as expectFailure, runCli, type Run } from '../helpers/cli-run';
import { captureLogs } from '../helpers/log-capture';

captureLogs();
let sandbox: Sandbox;
let job: string;
let notReady: string;
let home: string;
let requests = 0;
const UNKNOWN = 'JID99999999-9999-4999-8999-999999999999';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, accessLog: () => requests++ });
  job = sandbox.info.jobs[0].jobId;
  notReady = sandbox.info.jobs.find((j) => j.state === 'Complete')!.jobId;
  home = mkdtempSync(path.join(tmpdir(), 'cli-home-'));
});
afterAll(() => sandbox.stop());

const cli = (args: string[], who?: SandboxPrincipal, extraEnv: Record<string, string> = {}) =>
  runCli(home, args, who, { AWS_REGION: sandbox.info.region, SNOWBALL_BROKER_API_URL: sandbox.info.apiUrl, ...extraEnv });

const secretCode = () => sandbox.snowball.jobs.get(job)!.unlockCode;
const manifestBytes = () => sandbox.snowball.jobs.get(job)!.manifest;
const manifestOp = () => sandbox.principals.manifest;
const unlockOp = () => sandbox.principals.unlockCode;

const expectOneLineFailure = (run: Run) =>
  expectFailure(run, [secretCode(), manifestOp().secretAccessKey, unlockOp().secretAccessKey, unlockOp().sessionToken]);

describe('snowball-broker against the sandbox', () => {
  it('fetch-manifest brokers and prints what was stored; again, that it is unchanged', async () => {
    const first = await cli(['fetch-manifest', '--job-id', job], manifestOp());
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`Manifest of ${job} stored: s3://.*manifests/${job}/manifest.bin .*sha256 [0-9a-f]{64}`));
    const again = await cli(['fetch-manifest', '--job-id', job, '--json'], manifestOp());
    expect(JSON.parse(again.stdout)).toMatchObject({
      jobId: job,
      unchanged: true,
      sha256: createHash('sha256').update(manifestBytes()).digest('hex'),
    });
  });

  it('get-manifest writes the verified bytes with mode 0600 and refuses to overwrite without --force', async () => {
    const out = path.join(home, 'manifest.bin');
    const run = await cli(['get-manifest', '--job-id', job, '--out', out], manifestOp());
    expect(run.code).toBe(0);
    expect(readFileSync(out).equals(manifestBytes())).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    writeFileSync(out, 'operator notes');
    const refused = await cli(['get-manifest', '--job-id', job, '--out', out], manifestOp());
    expectOneLineFailure(refused);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('operator notes');
    const forced = await cli(['get-manifest', '--job-id', job, '--out', out, '--force', '--json'], manifestOp());
    expect(JSON.parse(forced.stdout)).toMatchObject({ file: out, sizeBytes: manifestBytes().length });
    expect(readFileSync(out).equals(manifestBytes())).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('fetch-unlock-code brokers without ever printing the code', async () => {
    const run = await cli(['fetch-unlock-code', '--job-id', job], unlockOp());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Unlock code of ${job} stored: arn:aws:secretsmanager:`));
    const json = await cli(['fetch-unlock-code', '--job-id', job, '--json'], unlockOp());
    expect(JSON.parse(json.stdout)).toMatchObject({ unchanged: true });
    for (const r of [run, json]) expect(r.stdout + r.stderr).not.toContain(secretCode());
  });

  it('get-unlock-code prints the code alone on stdout, so $(…) works', async () => {
    const run = await cli(['get-unlock-code', '--job-id', job], unlockOp());
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${secretCode()}\n`);
  });

  it('takes credentials from a shared profile (--profile) and the URL from --api-url', async () => {
    writeFileSync(
      path.join(home, 'credentials'),
      `[field]\naws_access_key_id = ${unlockOp().accessKeyId}\naws_secret_access_key = ${unlockOp().secretAccessKey}\naws_session_token = ${unlockOp().sessionToken}\n`,
    );
    const run = await cli(['get-unlock-code', '--job-id', job, '--profile', 'field', '--api-url', sandbox.info.apiUrl], undefined, {
      SNOWBALL_BROKER_API_URL: '',
    });
    expect(run.stdout).toBe(`${secretCode()}\n`);
  });
});

describe('snowball-broker status', () => {
  it('shows the fleet as its role sees it: an aligned table, and a hint for a WithCustomer job not stored yet', async () => {
    const run = await cli(['status'], manifestOp());
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Manifest vault: ${sandbox.info.jobs.length} job(s)`);
    expect(lines[1]).toMatch(/^JOB ID\s+STATE\s+CREATED\s+CREDENTIALS EXPIRE\s+MANIFEST\s+FETCHED$/);
    expect(lines.find((l) => l.startsWith(job))).toMatch(/WithCustomer\s+\d{4}-\d\d-\d\d\s+\d{4}-\d\d-\d\d\s+stored/);
    const unstored = sandbox.info.jobs.filter((j) => j.state === 'WithCustomer')[1].jobId;
    expect(lines.at(-1)).toBe(
      `hint: 1 WithCustomer job(s) without a stored manifest: run "snowball-broker fetch-manifest --job-id ${unstored}".`,
    );
    expect(run.stdout).not.toContain('Unlock-code vault');
  });

  it('answers JSON with --json, never a secret', async () => {
    const run = await cli(['status', '--json'], unlockOp());
    const views = JSON.parse(run.stdout);
    expect(Object.keys(views)).toEqual(['unlockCode']);
    expect(views.unlockCode.jobs).toHaveLength(sandbox.info.jobs.length);
    expect(run.stdout).not.toContain(secretCode());
  });

  it('refuses a principal that may read neither vault, and --job-id', async () => {
    const run = await cli(['status'], sandbox.principals.outsider);
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/status needs credentials of the ManifestOperator or the UnlockCodeOperator role/);
    expect((await cli(['status', '--job-id', job], manifestOp())).code).toBe(2);
  });
});

describe('snowball-broker failures: one line on stderr, non-zero exit', () => {
  it('not allowed for your role (403)', async () => {
    const run = await cli(['get-unlock-code', '--job-id', job], manifestOp());
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/not allowed \(403\).*UnlockCodeOperator role/);
  });

  it('unknown job', async () => {
    const run = await cli(['fetch-manifest', '--job-id', UNKNOWN], manifestOp());
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/unknown job \(404\)/);
  });

  it('job not WithCustomer, naming its state', async () => {
    const run = await cli(['fetch-unlock-code', '--job-id', notReady], unlockOp());
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/job not WithCustomer \(409\).*Complete/);
  });

  it('no credentials found', async () => {
    const run = await cli(['get-unlock-code', '--job-id', job]);
    expectOneLineFailure(run);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no AWS credentials found');
  });

  it('API unreachable', async () => {
    const run = await cli(['get-unlock-code', '--job-id', job, '--api-url', 'http://127.0.0.1:9/v1/'], unlockOp());
    expectOneLineFailure(run);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('cannot reach the broker API');
  });

  it('bad job id, checked before any call', async () => {
    const before = requests;
    const run = await cli(['get-unlock-code', '--job-id', 'JID-not-a-uuid'], unlockOp());
    expectOneLineFailure(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad job id "JID-not-a-uuid"');
    expect(requests).toBe(before);
  });

  it('an existing --out file is never touched when the download fails', async () => {
    const out = path.join(home, 'kept.bin');
    writeFileSync(out, 'keep me');
    const run = await cli(['get-manifest', '--job-id', notReady, '--out', out, '--force'], manifestOp());
    expectOneLineFailure(run);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
