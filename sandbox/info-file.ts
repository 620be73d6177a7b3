import { lstatSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

/** Where `npm start` writes what a client needs; `SANDBOX_INFO_FILE` moves it (the tests do). */
export function infoFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SANDBOX_INFO_FILE || path.join(__dirname, '..', '.sandbox', 'sandbox.json');
}

/** A running sandbox already owns the info file; says which one, and how to stop it. */
export class SandboxAlreadyRunning extends Error {
  constructor(file: string, owner: { pid: number; apiUrl?: string }) {
    super(
      `a sandbox is already running (pid ${owner.pid}, API ${owner.apiUrl ?? 'unknown'}; ${file}). ` +
        `Use that one, or stop it first (Ctrl-C in its terminal, or kill ${owner.pid}).`,
    );
    this.name = 'SandboxAlreadyRunning';
  }
}

/** A file at the info file's path that no sandbox wrote: it is never replaced or removed. */
export class ForeignInfoFile extends Error {
  constructor(file: string) {
    super(
      `${file} exists and is not a sandbox info file, so it is left alone: remove it yourself, or point SANDBOX_INFO_FILE at a new path.`,
    );
    this.name = 'ForeignInfoFile';
  }
}

/** The sandbox that wrote `file`: a regular file holding its pid and the emulation label. */
function readOwner(file: string): { pid: number; apiUrl?: string } | undefined {
  try {
    if (!lstatSync(file).isFile()) return undefined;
    const info = JSON.parse(readFileSync(file, 'utf8'));
    const ours = Number.isInteger(info.pid) && typeof info.emulation === 'string' && info.emulation.startsWith('LOCAL EMULATION');
    return ours ? { pid: info.pid, apiUrl: info.apiUrl } : undefined;
  } catch {
    return undefined;
  }
}

const exists = (file: string) => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Refuses while another live sandbox owns the file, and refuses a file no sandbox wrote (anything
 * SANDBOX_INFO_FILE may name); clears only a file left by a sandbox that died.
 */
export function assertNoOtherSandbox(file: string): void {
  if (!exists(file)) return;
  const owner = readOwner(file);
  if (!owner) throw new ForeignInfoFile(file);
  if (owner.pid !== process.pid && alive(owner.pid)) throw new SandboxAlreadyRunning(file, owner);
  rmSync(file, { force: true });
}

/** Writes the info file, mode 0600, only if no other sandbox created it in the meantime. */
export function claimInfoFile(file: string, info: { pid: number; apiUrl: string }): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = readOwner(file);
    throw owner ? new SandboxAlreadyRunning(file, owner) : new ForeignInfoFile(file);
  }
}

/** Removes the info file only if this process wrote it: stopping one sandbox never deletes another's. */
export function releaseInfoFile(file: string): void {
  if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
}
