import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** `npm start` as a user runs it: the entry file in its own process, stopped with Ctrl-C. */
const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-start-'));
const INFO = path.join(dir, 'sandbox.json');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
}

function start(env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'sandbox/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', SANDBOX_INFO_FILE: INFO, ...env },
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
    expect(out).toContain('./bin/snowball-broker.js get-unlock-code --job-id JID');
    expect(out).not.toContain('npx');
    expect(out).toContain('--aws-sigv4');
    expect(out).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('prints curl and CLI lines that run in order, as printed, in a second terminal, each showing its status', async () => {
    // A second terminal "in the clone": its bin/ and a .sandbox/ of its own, so nothing is written into the repository.
    const cwd = mkdtempSync(path.join(dir, 'terminal-'));
    symlinkSync(path.join(ROOT, 'bin'), path.join(cwd, 'bin'));
    mkdirSync(path.join(cwd, '.sandbox'));
    const lines = first
      .output()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(\(umask 077; )?curl --?|^\(umask|^SNOWBALL_BROKER_API_URL=/.test(l) && !l.includes('JOB_ID'));
    expect(lines.filter((l) => l.includes('snowball-broker.js'))).toHaveLength(4);
    const outputs: string[] = [];
    for (const line of lines)
      outputs.push(execFileSync('bash', ['-c', line], { cwd, env: { PATH: process.env.PATH, HOME: dir }, encoding: 'utf8' }));
    for (const [line, output] of lines.map((l, i) => [l, outputs[i]])) if (line.includes('curl')) expect(output).toMatch(/ (200|201)\n$/);
    const unlock = outputs.filter((_, i) => /fetch-unlock-code|get-unlock-code/.test(lines[i]) && lines[i].includes('snowball-broker.js'));
    expect(unlock[0]).toMatch(/^Unlock code of JID\S+ (stored|already stored, unchanged): arn:aws:secretsmanager:/);
    expect(unlock[1]).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){4}\n$/);
    expect(
      readFileSync(path.join(cwd, '.sandbox', 'curl-manifest.bin')).equals(readFileSync(path.join(cwd, '.sandbox', 'cli-manifest.bin'))),
    ).toBe(true);
  });

  it("refuses a second start while one runs, and leaves the first one's file alone", async () => {
    const before = readFileSync(INFO, 'utf8');
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/a sandbox is already running \(pid \d+/);
    expect(readFileSync(INFO, 'utf8')).toBe(before);
  });

  it('removes its own file on Ctrl-C, even pressed twice', async () => {
    first.child.kill('SIGINT');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(existsSync(INFO)).toBe(false);
  });

  it('replaces a file left behind by a sandbox that died', async () => {
    writeFileSync(INFO, JSON.stringify({ emulation: 'LOCAL EMULATION of AWS', pid: 2 ** 22 + 12345, apiUrl: 'http://127.0.0.1:1/v1/' }));
    const next = start();
    await until(() => next.output().includes('Ctrl-C stops it'));
    expect(JSON.parse(readFileSync(INFO, 'utf8')).pid).toBe(next.child.pid);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });

  it('never replaces or removes a file at SANDBOX_INFO_FILE that no sandbox wrote', async () => {
    const foreign = path.join(dir, 'notes.json');
    writeFileSync(foreign, '{"pid": 1, "mine": "an operator\'s own file"}');
    const refused = start({ SANDBOX_INFO_FILE: foreign });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/notes\.json exists and is not a sandbox info file, so it is left alone/);
    expect(readFileSync(foreign, 'utf8')).toBe('{"pid": 1, "mine": "an operator\'s own file"}');
  });

  it.each(['abc', '-1', '70000', '3000x'])('refuses PORT=%s with a clear message', async (port) => {
    const refused = start({ PORT: port });
    expect(await refused.exited).toBe(1);
    expect(refused.output().trim()).toBe(
      `sandbox failed to start: PORT must be a whole number from 0 (any free port) to 65535, got "${port}": e.g. PORT=3100 npm start`,
    );
  });
});
