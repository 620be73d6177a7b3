import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** `npm start` as a user runs it: the entry file in its own process, stopped with Ctrl-C. */
const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-start-'));
const INFO = path.join(dir, 'sandbox.json');

interface Started { child: ChildProcess; output: () => string; exited: Promise<number> }

function start(): Started {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'sandbox/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', SANDBOX_INFO_FILE: INFO },
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => text, exited };
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start', () => {
  let first: Started;
  afterAll(() => first?.child.kill('SIGKILL'));

  it('writes the info file (0600), prints curl and CLI lines, and says it is an emulation', async () => {
    first = start();
    await until(() => first.output().includes('Ctrl-C stops it'));
    expect(statSync(INFO).mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(INFO, 'utf8'));
    expect(info).toMatchObject({ pid: first.child.pid, emulation: expect.stringContaining('LOCAL EMULATION') });
    expect(Object.keys(info)).toEqual(expect.arrayContaining(['operators', 'outsider', 'vaults', 'adminUrl', 'apiUrl']));
    expect(info.operators.manifest).toEqual(expect.objectContaining({ sessionToken: expect.any(String), expiration: expect.any(String) }));
    const out = first.output();
    expect(out).toContain('LOCAL EMULATION');
    expect(out).toContain('npx snowball-broker get-unlock-code --job-id JID');
    expect(out).toContain('curl --aws-sigv4');
    expect(out).not.toMatch(/NodeVersionSupportWarning/);
  });

  it("prints CLI lines that work as pasted into a shell", async () => {
    const lines = first.output().split('\n').map((l) => l.trim()).filter((l) => /npx snowball-broker (fetch|get)-unlock-code/.test(l));
    expect(lines).toHaveLength(2);
    const outputs: string[] = [];
    for (const line of lines) outputs.push(execFileSync('bash', ['-c', line], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: dir, NPM_CONFIG_UPDATE_NOTIFIER: 'false' }, encoding: 'utf8' }));
    expect(outputs[0]).toMatch(/^Unlock code of JID\S+ (stored|already stored, unchanged): arn:aws:secretsmanager:/);
    expect(outputs[1]).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){4}\n$/);
  });

  it('refuses a second start while one runs, and leaves the first one\'s file alone', async () => {
    const before = readFileSync(INFO, 'utf8');
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/a sandbox is already running \(pid \d+/);
    expect(readFileSync(INFO, 'utf8')).toBe(before);
  });

  it('removes its own file on Ctrl-C', async () => {
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(existsSync(INFO)).toBe(false);
  });

  it('replaces a file left behind by a sandbox that died', async () => {
    writeFileSync(INFO, JSON.stringify({ pid: 2 ** 22 + 12345, apiUrl: 'http://127.0.0.1:1/v1/' }));
    const next = start();
    await until(() => next.output().includes('Ctrl-C stops it'));
    expect(JSON.parse(readFileSync(INFO, 'utf8')).pid).toBe(next.child.pid);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });
});
