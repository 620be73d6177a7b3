import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';

/**
 * The README's sandbox walk-throughs, run as a newcomer pastes them into bash (with jq and curl),
 * against a live sandbox. Only the `.sandbox/` directory is moved to a temporary one.
 */
captureLogs();
const ROOT = path.join(__dirname, '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
const walkThrough = (first: string) => {
  const block = blocks.find((b) => b.startsWith(first));
  if (!block) throw new Error(`no README bash block starting with ${first}`);
  return block;
};

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'readme-'));
  mkdirSync(path.join(dir, '.sandbox'));
  writeFileSync(path.join(dir, '.sandbox', 'sandbox.json'), JSON.stringify(sandbox.info), { mode: 0o600 });
});
afterAll(() => sandbox.stop());

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const moved = script.replaceAll('.sandbox/', `${dir}/.sandbox/`);
  return new Promise((resolve) =>
    execFile('bash', ['-c', moved], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false' }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const job = () => sandbox.info.jobs[0].jobId;
const demo = () => sandbox.snowball.jobs.get(job())!;

describe('the README walk-throughs work as pasted', () => {
  it('the curl session brokers, downloads (0600) and reads, and is refused across vaults', async () => {
    const run = await bash(walkThrough('S=.sandbox/sandbox.json; API='));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"unchanged":false');
    expect(run.stdout).toContain('"unchanged":true');
    expect(run.stdout).toContain(`"unlockCode":"${demo().unlockCode}"`);
    expect(run.stdout).toContain('"code":"AccessDenied"');
    const file = path.join(dir, '.sandbox', 'manifest.bin');
    expect(readFileSync(file).equals(demo().manifest)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the CLI session does the same with snowball-broker', async () => {
    const run = await bash(walkThrough('S=.sandbox/sandbox.json; JOB='));
    expect(run.stderr).not.toContain('snowball-broker:');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').pop()).toBe(demo().unlockCode);
    expect(readFileSync(path.join(dir, '.sandbox', 'cli-manifest.bin')).equals(demo().manifest)).toBe(true);
  });
});
