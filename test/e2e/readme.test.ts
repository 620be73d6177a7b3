import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
/** The README and the pages it links (docs/, CONTRIBUTING.md): the walk-throughs live in docs/sandbox.md. */
const README = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f)),
  'CONTRIBUTING.md',
]
  .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
  .join('\n');
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
    execFile(
      'bash',
      ['-c', moved],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: dir, NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false' },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/**
 * Each block's run pasted alone, by the tests below that run it so: "every sandbox block stands on
 * its own" reads these instead of running a block a second time (the AWS CLI block alone costs
 * seconds of CPU), and runs itself only the blocks no earlier test ran.
 */
const alone = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
function pasted(block: string) {
  const run = bash(block);
  if (!alone.has(block)) alone.set(block, run);
  return run;
}

const job = () => sandbox.info.jobs[0].jobId;
const demo = () => sandbox.snowball.jobs.get(job())!;

describe('the README walk-throughs work as pasted', () => {
  it('the curl session brokers, downloads (0600) and reads, and is refused across vaults, each call showing its status', async () => {
    const run = await pasted(walkThrough('S=.sandbox/sandbox.json; API='));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"unchanged":false\} 201\n/);
    expect(run.stdout).toMatch(/"unchanged":true\} 200\n/);
    expect(run.stdout).toContain(`"unlockCode":"${demo().unlockCode}"} 200\n`);
    expect(run.stdout).toMatch(/"code":"AccessDenied"[^\n]*\} 403\n/);
    const file = path.join(dir, '.sandbox', 'manifest.bin');
    expect(readFileSync(file).equals(demo().manifest)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("the CLI session does the same with the clone's snowball-broker, and runs again as pasted", async () => {
    const run = await pasted(walkThrough("S=.sandbox/sandbox.json; JOB=$(jq -r '.jobs[0].jobId' $S)\nexport"));
    expect((await bash(walkThrough("S=.sandbox/sandbox.json; JOB=$(jq -r '.jobs[0].jobId' $S)\nexport"))).code).toBe(0);
    expect(run.stderr).not.toContain('snowball-broker:');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').pop()).toBe(demo().unlockCode);
    expect(readFileSync(path.join(dir, '.sandbox', 'cli-manifest.bin')).equals(demo().manifest)).toBe(true);
  }, 120_000); // the walk-through twice: a dozen CLI processes

  it('the AWS CLI block, pasted alone, reads each vault directly (the manifest 0600) and the outsider is refused', async () => {
    const run = await pasted(walkThrough("S=.sandbox/sandbox.json; JOB=$(jq -r '.jobs[0].jobId' $S); REGION="));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(demo().unlockCode);
    expect(run.stderr).toContain('AccessDeniedException');
    expect(run.stdout).toMatch(/exit [1-9]\d*\n$/);
    const file = path.join(dir, '.sandbox', 'direct.bin');
    expect(readFileSync(file).equals(demo().manifest)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the faults block, pasted alone, switches a fault on and off, showing each status', async () => {
    const run = await pasted(walkThrough('S=.sandbox/sandbox.json; ADMIN='));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('{"faults":["truncatedManifest"]} 200\n');
    expect(run.stdout).toContain('{"faults":[]} 200\n');
    expect(sandbox.faults.list()).toEqual([]);
  });
});

describe('every sandbox block of the README', () => {
  const sandboxBlocks = blocks.filter((b) => b.startsWith('S=.sandbox/sandbox.json'));

  it('has the walk-throughs the docs promise', () => expect(sandboxBlocks.length).toBeGreaterThanOrEqual(5));

  // One test per block: each gets the whole test timeout, so a loaded machine does not fail the last of them.
  it.each(sandboxBlocks.map((block) => [block.split('\n')[0], block]))(
    'block %#, pasted alone, runs with nothing waiting on standard input: %s',
    async (_, block) => {
      const run = await (alone.get(block) ?? pasted(block));
      sandbox.faults.set([]);
      expect({ code: run.code, stderr: run.stderr.includes('snowball-broker:') }).toEqual({ code: 0, stderr: false });
    },
  );

  it('shows the status code of every curl call', () => {
    for (const block of sandboxBlocks.filter((b) => b.includes('curl'))) {
      for (const line of block.split('\n').filter((l) => /\bcurl\b/.test(l))) expect(line).toMatch(/-w ' %\{http_code\}\\n'/);
    }
  });
});

describe('npm run -s guardrails:print > scps.json, as documented', () => {
  it('writes nothing but the policies, as JSON, to standard output', async () => {
    const line = README.split('\n').find((l) => l.includes('guardrails:print') && l.includes('> scps.json'))!;
    const command = /`(npm run -s guardrails:print[^`]*) > scps\.json`/.exec(line)![1];
    const run = await bash(command);
    expect(run.code).toBe(0);
    const scps = JSON.parse(run.stdout) as { name: string; content: unknown }[];
    expect(scps.length).toBeGreaterThan(0);
    for (const scp of scps) expect(scp.content).toMatchObject({ Version: '2012-10-17', Statement: expect.any(Array) });
  });
});
