import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { SandboxPrincipal } from '../../sandbox/identities';
import { expectOneLineFailure, runCli } from '../helpers/cli-run';
import { captureLogs } from '../helpers/log-capture';
import { stubApi } from '../helpers/stub-api';

captureLogs();
let sandbox: Sandbox;
let job: string;
let home: string;
let requests = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, accessLog: (line) => (line.control ? undefined : requests++) });
  job = sandbox.info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
  home = mkdtempSync(path.join(tmpdir(), 'cli-hardening-'));
});
afterAll(() => sandbox.stop());
afterEach(() => sandbox.faults.set([]));

const cli = (args: string[], who: SandboxPrincipal | undefined = sandbox.principals.manifest, apiUrl = sandbox.info.apiUrl) =>
  runCli(home, args, who, { AWS_REGION: sandbox.info.region, SNOWBALL_BROKER_API_URL: apiUrl });
const getManifest = (out: string, ...more: string[]) => cli(['get-manifest', '--job-id', job, '--out', out, ...more]);
const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('get-manifest --out: what it may write', () => {
  beforeAll(async () => {
    expect((await cli(['fetch-manifest', '--job-id', job])).code).toBe(0);
  });

  it.each([
    ['a device', () => '/dev/null', /is a device/],
    ['a directory', () => home, /is a directory/],
    [
      'a FIFO',
      () => {
        const f = path.join(home, 'pipe');
        execFileSync('mkfifo', [f]);
        return f;
      },
      /is a FIFO/,
    ],
    [
      'a symbolic link',
      () => {
        const f = path.join(home, 'link');
        symlinkSync('/etc/hostname', f);
        return f;
      },
      /is a symbolic link/,
    ],
  ])('refuses to replace %s even with --force, exit 2, before any download', async (_what, target, says) => {
    const out = target();
    const before = lstatSync(out);
    const seen = requests;
    const run = await getManifest(out, '--force');
    expectOneLineFailure(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(says);
    expect(requests).toBe(seen);
    const after = lstatSync(out);
    expect([after.mode, after.ino, after.rdev]).toEqual([before.mode, before.ino, before.rdev]);
  });

  it('says plainly that the directory of --out does not exist, exit 2, before any download', async () => {
    const seen = requests;
    const run = await getManifest(path.join(home, 'no', 'such', 'dir', 'manifest.bin'));
    expectOneLineFailure(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/directory .*no\/such\/dir does not exist/);
    expect(requests).toBe(seen);
  });

  it('replaces a regular file with --force, mode 0600, leaving no temporary file', async () => {
    const dir = mkdtempSync(path.join(home, 'force-'));
    const out = path.join(dir, 'manifest.bin');
    writeFileSync(out, 'old', { mode: 0o644 });
    const run = await getManifest(out, '--force');
    expect(run.code).toBe(0);
    expect(readFileSync(out).equals(sandbox.snowball.jobs.get(job)!.manifest)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('timeouts', () => {
  it('ends a server that sends headers and then stalls as "timed out", exit 3, after --timeout', async () => {
    const api = await stubApi((res) =>
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' }).write('{"jobId":'),
    );
    const run = await cli(['get-unlock-code', '--job-id', job, '--timeout', '1', '--no-retry'], sandbox.principals.unlockCode, api.url);
    await api.close();
    expectOneLineFailure(run);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/did not answer within 1 s \(timed out\)/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('ends a server that never answers at all the same way', async () => {
    const api = await stubApi(() => undefined);
    const run = await cli(['fetch-unlock-code', '--job-id', job, '--timeout', '0.5'], sandbox.principals.unlockCode, api.url);
    await api.close();
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/timed out/);
  });

  it('refuses a --timeout that is not a positive number of seconds', async () => {
    const run = await cli(['get-unlock-code', '--job-id', job, '--timeout', 'soon']);
    expectOneLineFailure(run);
    expect(run.code).toBe(2);
  });
});

// The backoff itself (attempts, waits, what is retried) is test/unit/cli-retry.test.ts, in no real time.
describe('retries', () => {
  it('makes exactly one attempt with --no-retry', async () => {
    sandbox.faults.set(['snowball5xx']);
    const seen = requests;
    const run = await cli(['fetch-manifest', '--job-id', job, '--no-retry']);
    expect(run.stderr).toMatch(/AWS unavailable \(503 UpstreamUnavailable\) after 1 attempt:/);
    expect(requests - seen).toBe(1);
  });
});

describe('nothing stored yet', () => {
  it('tells the operator which command to run when the job is WithCustomer', async () => {
    const fresh = sandbox.info.jobs.filter((j) => j.state === 'WithCustomer')[1].jobId;
    const run = await cli(['get-unlock-code', '--job-id', fresh], sandbox.principals.unlockCode);
    expectOneLineFailure(run);
    expect(run.stderr).toContain(
      `the job is WithCustomer: run "snowball-broker fetch-unlock-code --job-id ${fresh}", then this command again`,
    );
    const dir = mkdtempSync(path.join(home, 'nothing-'));
    mkdirSync(path.join(dir, 'sub'));
    const manifest = await cli(['get-manifest', '--job-id', fresh, '--out', path.join(dir, 'sub', 'm.bin')]);
    expect(manifest.stderr).toContain(`run "snowball-broker fetch-manifest --job-id ${fresh}"`);
  });
});
