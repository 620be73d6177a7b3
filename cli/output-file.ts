import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT } from './errors';

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot inspect ${file} (${(err as NodeJS.ErrnoException).code}).`, EXIT.usage);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks, before anything is downloaded, that `file` may be written: its directory exists, and it
 * is either absent or (with --force) a regular file. Directories, devices, FIFOs, sockets and
 * symbolic links are never replaced.
 */
export function checkOutputFile(file: string, force: boolean): void {
  const dir = path.dirname(path.resolve(file));
  let dirStats: Stats;
  try {
    dirStats = statSync(dir);
  } catch {
    throw new CliError(`directory ${dir} does not exist: create it or choose another --out.`, EXIT.usage);
  }
  if (!dirStats.isDirectory()) throw new CliError(`${dir} is not a directory: choose another --out.`, EXIT.usage);
  const existing = lstatOrUndefined(file);
  if (existing === undefined) return;
  if (!existing.isFile()) throw new CliError(`${file} is ${kindOf(existing)}; --out must name a regular file or a new one.`, EXIT.usage);
  if (!force) throw new CliError(`${file} exists: choose another --out or pass --force to replace it.`, EXIT.usage);
}

/** Creates a new file only (never follows or reuses one), mode 0600, and writes `bytes` to disk. */
function writeNewPrivateFile(file: string, bytes: Buffer): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Filesystems without hard links (FAT and exFAT sticks, some network shares) answer these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** Puts `temp` at `file` only if `file` does not exist; a partial direct write is removed. */
function placeWithoutReplacing(temp: string, file: string, bytes: Buffer): void {
  try {
    linkSync(temp, file);
    return;
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
  try {
    writeNewPrivateFile(file, bytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') unlinkQuietly(file);
    throw err;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone, or never created.
  }
}

/**
 * Writes the manifest to `file` with mode 0600, all or nothing: the bytes go to an exclusively
 * created temporary file beside it, which then takes `file`'s place (a hard link when nothing may
 * be replaced, a rename over a regular file with --force). The temporary file is removed on every
 * path, so no copy of the manifest stays behind after a failure.
 */
export function writePrivateFile(file: string, bytes: Buffer, force: boolean): void {
  checkOutputFile(file, force);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeNewPrivateFile(temp, bytes);
    if (force) renameSync(temp, file);
    else placeWithoutReplacing(temp, file, bytes);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${file} exists: choose another --out or pass --force to replace it.`, EXIT.usage);
    throw new CliError(`cannot write ${file} (${code ?? 'error'}); nothing was written.`);
  } finally {
    unlinkQuietly(temp);
  }
}
