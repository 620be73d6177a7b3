import { execFile } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { SandboxPrincipal } from '../../sandbox/identities';
import { expectOneLineFailure, runCli } from '../helpers/cli-run';
import { captureLogs } from '../helpers/log-capture';
import { stubApi } from '../helpers/stub-api';

/** The CLI as a careful operator meets it: odd answers, odd places to write, odd settings. */
captureLogs();
const BIN = path.join(__dirname, '..', '..', 'bin', 'snowball-broker.js');
let sandbox: Sandbox;
let job: string;
let home: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  job = sandbox.info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
  home = mkdtempSync(path.join(tmpdir(), 'cli-operator-'));
  const env = { AWS_REGION: sandbox.info.region, SNOWBALL_BROKER_API_URL: sandbox.info.apiUrl };
  expect((await runCli(home, ['fetch-manifest', '--job-id', job], sandbox.principals.manifest, env)).code).toBe(0);
  expect((await runCli(home, ['fetch-unlock-code', '--job-id', job], sandbox.principals.unlockCode, env)).code).toBe(0);
});
afterAll(() => sandbox.stop());

const cli = (
  args: string[],
  who: SandboxPrincipal | undefined = sandbox.principals.manifest,
  apiUrl = sandbox.info.apiUrl,
  env: Record<string, string> = {},
) => runCli(home, args, who, { AWS_REGION: sandbox.info.region, SNOWBALL_BROKER_API_URL: apiUrl, ...env });
const manifest = () => sandbox.snowball.jobs.get(job)!.manifest;

/** The CLI in `cwd` through bash (for ulimit), its stdout as bytes. */
function runRaw(cwd: string, script: string, who: SandboxPrincipal): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_REGION: sandbox.info.region,
    SNOWBALL_BROKER_API_URL: sandbox.info.apiUrl,
    AWS_ACCESS_KEY_ID: who.accessKeyId,
    AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
    AWS_SESSION_TOKEN: who.sessionToken!,
    CLI: `${process.execPath} ${BIN}`,
  };
  return new Promise((resolve) =>
    execFile('bash', ['-c', script], { cwd, env, encoding: 'buffer', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr: stderr.toString() }),
    ),
  );
}

const json = (status: number, body: unknown) => (res: ServerResponse) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

describe('get-manifest: standard output and a file size limit', () => {
  it('--out - writes the verified bytes to standard output, the summary to stderr, and no file named "-"', async () => {
    const cwd = mkdtempSync(path.join(home, 'stdout-'));
    const run = await runRaw(cwd, `$CLI get-manifest --job-id ${job} --out - | cat`, sandbox.principals.manifest);
    expect(run.code).toBe(0);
    expect(run.stdout.equals(manifest())).toBe(true);
    expect(run.stderr).toMatch(/^Wrote the manifest of JID\S+ to standard output \(2048 bytes, sha256 [0-9a-f]{64} verified\)\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('under ulimit -f 1 (1 KiB for a 2 KiB manifest) fails with EFBIG and leaves no file and no temporary copy', async () => {
    const cwd = mkdtempSync(path.join(home, 'ulimit-'));
    const run = await runRaw(cwd, `ulimit -f 1; $CLI get-manifest --job-id ${job} --out m.bin`, sandbox.principals.manifest);
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toMatch(
      /^snowball-broker: cannot write m\.bin \(the file size limit \(ulimit -f\) is too small for it, EFBIG\); nothing was written/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('answers are checked before anything is printed', () => {
  it.each([
    ['a 200 without unlockCode', json(200, { jobId: 'JOB' }), /lacks "unlockCode"; nothing was printed/],
    [
      'an unlock code carrying a terminal escape',
      json(200, { jobId: 'JOB', unlockCode: '\u001b]0;owned\u0007AAAA-BBBBB-CCCCC-DDDDD-EEEEE' }),
      /has a malformed "unlockCode"/,
    ],
    [
      'an answer about another job',
      json(200, { jobId: 'JID00000000-0000-4000-8000-000000000000', unlockCode: 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE' }),
      /is about another job/,
    ],
    [
      'an error message with escapes and extra lines',
      json(409, { error: { code: 'JobNotWithCustomer', message: 'state\u001b[2J\nfake: all good' } }),
      /job not WithCustomer \(409\): state\?\[2J\?fake: all good/,
    ],
    [
      'a redirect',
      (res: ServerResponse) => res.writeHead(302, { Location: 'https://login.example.net/sso' }).end(),
      /answered a redirect \(302 to https:\/\/login\.example\.net\), which the broker never sends; it was not followed/,
    ],
    [
      'an HTML page with 200',
      (res: ServerResponse) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>portal</html>'),
      /answer to get-unlock-code for \S+ is text\/html, not JSON/,
    ],
    [
      'an HTML page with 502',
      (res: ServerResponse) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>bad gateway</html>'),
      /answered 502 with text\/html, not the broker's JSON error/,
    ],
  ])('refuses %s', async (_what, behave, says) => {
    const api = await stubApi((res) => behave(patchJob(res)));
    const run = await cli(['get-unlock-code', '--job-id', job, '--no-retry'], sandbox.principals.unlockCode, api.url);
    await api.close();
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(says);
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(api.hits()).toBe(1);
  });

  it('cuts off an answer over 10 MiB instead of buffering it', async () => {
    const api = await stubApi((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      let sent = 0;
      const more = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', more);
        else res.end();
      };
      res.on('error', () => undefined);
      more();
    });
    const run = await cli(['status'], sandbox.principals.unlockCode, api.url);
    await api.close();
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/sent an answer over 10 MiB, more than any answer of the broker; it was cut off/);
  });

  it('refuses plain http:// to any host but this machine, before any call', async () => {
    const run = await cli(['status'], sandbox.principals.unlockCode, 'http://broker.example.invalid/v1/');
    expectOneLineFailure(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/plain http:\/\/ to another host.*use https:\/\//);
  });
});

/** The odd servers above answer about `JOB`; the CLI asks about the sandbox's job. */
function patchJob(res: ServerResponse): ServerResponse {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  (res as unknown as { end: (chunk?: unknown) => ServerResponse }).end = (chunk?: unknown) =>
    end(typeof chunk === 'string' ? chunk.replace('"JOB"', `"${job}"`) : chunk);
  return res;
}

describe('messages say what happened and what to do, once', () => {
  it('an API URL without the stage is named as such, not as a signature problem', async () => {
    const run = await cli(['status'], sandbox.principals.unlockCode, sandbox.info.apiUrl.replace(/v1\/$/, ''));
    expectOneLineFailure(run);
    expect(run.stderr).toMatch(/lacks the stage; use the stack's ApiUrl output/);
    expect(run.stderr).not.toMatch(/signature/);
  });

  it('a wrong secret key is a signature problem, said once, by status too (not a role problem)', async () => {
    const wrong = { ...sandbox.principals.unlockCode, secretAccessKey: 'wrong-secret-key' } as SandboxPrincipal;
    for (const args of [['get-unlock-code', '--job-id', job], ['status']]) {
      const run = await cli(args, wrong);
      expectOneLineFailure(run);
      expect(run.stderr).toMatch(/rejected the request signature \(403\): check the secret access key/);
      expect(run.stderr.match(/check/g)).toHaveLength(1);
      expect(run.stderr).not.toMatch(/role/);
    }
  });

  it('a profile that does not exist is named, not reported as a missing region', async () => {
    const run = await cli(['status', '--profile', 'field-typo'], undefined, sandbox.info.apiUrl, { AWS_REGION: '' });
    expectOneLineFailure(run);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/profile "field-typo" is in neither ~\/\.aws\/config nor ~\/\.aws\/credentials/);
  });

  it("with AWS_PROFILE and keys both set, says so in one line instead of the SDK's eight, and goes on", async () => {
    const own = mkdtempSync(path.join(tmpdir(), 'cli-both-'));
    const op = sandbox.principals.unlockCode;
    writeFileSync(
      path.join(own, 'credentials'),
      `[field]\naws_access_key_id = ${op.accessKeyId}\naws_secret_access_key = ${op.secretAccessKey}\naws_session_token = ${op.sessionToken}\n`,
    );
    const run = await runCli(own, ['get-unlock-code', '--job-id', job], sandbox.principals.manifest, {
      AWS_REGION: sandbox.info.region,
      SNOWBALL_BROKER_API_URL: sandbox.info.apiUrl,
      AWS_PROFILE: 'field',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${sandbox.snowball.jobs.get(job)!.unlockCode}\n`);
    expect(run.stderr.trim().split('\n')).toEqual([
      'snowball-broker: note: both a profile (AWS_PROFILE) and keys (AWS_ACCESS_KEY_ID) are set; using the profile: unset one of them.',
    ]);
  });

  it('--json failures are one JSON line with the code and exit code', async () => {
    const run = await cli(['get-unlock-code', '--job-id', job, '--json'], sandbox.principals.manifest);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr)).toEqual({
      error: { code: 'AccessDenied', message: expect.stringMatching(/^not allowed \(403\)/), exitCode: 1 },
    });
    const usage = await cli(['status', '--out', 'x', '--json']);
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { code: 'Usage', message: expect.stringContaining('status takes no --out'), exitCode: 2 },
    });
  });
});

describe('nothing stored: what the operator can do depends on the job', () => {
  it('for a job that is not WithCustomer, says why there is nothing to fetch instead of suggesting a fetch that would answer 409', async () => {
    const complete = sandbox.info.jobs.find((j) => j.state === 'Complete')!.jobId;
    const run = await cli(['get-unlock-code', '--job-id', complete], sandbox.principals.unlockCode);
    expectOneLineFailure(run);
    expect(run.stderr).toContain(
      `the broker holds no unlock code for ${complete}, and the job is Complete; Snowball hands credentials out only while a job is WithCustomer, so there is nothing to fetch now.`,
    );
    expect(run.stderr).not.toMatch(/run "snowball-broker fetch/);
  });

  it('for a retired code of a WithCustomer job, says fetching restores it', async () => {
    const other = sandbox.info.jobs.filter((j) => j.state === 'WithCustomer')[1].jobId;
    expect((await cli(['fetch-unlock-code', '--job-id', other], sandbox.principals.unlockCode)).code).toBe(0);
    sandbox.secrets.scheduleDeletion(`snowball/unlock-code/${other}`);
    const run = await cli(['get-unlock-code', '--job-id', other], sandbox.principals.unlockCode);
    expectOneLineFailure(run);
    expect(run.stderr).toContain(
      `the unlock code of ${other} is retired; the job is WithCustomer: run "snowball-broker fetch-unlock-code --job-id ${other}"`,
    );
    expect((await cli(['fetch-unlock-code', '--job-id', other], sandbox.principals.unlockCode)).stdout).toMatch(
      /restored from scheduled deletion/,
    );
  });
});

describe('status of the unlock-code vault', () => {
  it('shows when a stored code was fetched (the Secrets Manager stand-in answers LastChangedDate, as AWS does)', async () => {
    const run = await cli(['status'], sandbox.principals.unlockCode);
    expect(run.code).toBe(0);
    const row = run.stdout.split('\n').find((l) => l.startsWith(job))!;
    expect(row).toMatch(/stored\s+\d{4}-\d\d-\d\d$/);
  });
});
