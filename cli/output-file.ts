import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { lstatSync, statSync, type Stats } from 'node:fs';
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

/** The file operations a write makes; tests inject failures (a short write, a full disk). */
export type WriteFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'linkSync' | 'renameSync' | 'unlinkSync'>;

/** Writes every byte, however many calls it takes: `writeSync` may write fewer than asked (a full disk, a file size limit). */
function writeAll(fs: WriteFs, fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) {
    const wrote = fs.writeSync(fd, bytes, done, bytes.length - done);
    if (wrote <= 0) throw Object.assign(new Error('no progress writing'), { code: 'EIO' });
    done += wrote;
  }
}

/** Creates a new file only (never follows or reuses one), mode 0600, and writes `bytes` to disk. */
function writeNewPrivateFile(fs: WriteFs, file: string, bytes: Buffer): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    writeAll(fs, fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Filesystems without hard links (FAT and exFAT sticks, some network shares) answer these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** Puts `temp` at `file` only if `file` does not exist; a partial direct write is removed. */
function placeWithoutReplacing(fs: WriteFs, temp: string, file: string, bytes: Buffer): void {
  try {
    fs.linkSync(temp, file);
    return;
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
  try {
    writeNewPrivateFile(fs, file, bytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') unlinkQuietly(fs, file);
    throw err;
  }
}

function unlinkQuietly(fs: WriteFs, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone, or never created.
  }
}

/** What a write failure means to the operator, by its errno. */
const WRITE_FAILURE: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'your disk quota is used up',
  EFBIG: 'the file size limit (ulimit -f) is too small for it',
  EROFS: 'the filesystem is read-only',
  EACCES: 'you may not write there',
  EIO: 'the disk reported an error',
};

/** Signals that end a process at a loading dock: Ctrl-C, a closed terminal, a kill. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `write` with the stop signals held. Node runs a signal's listeners only between
 * synchronous stretches, so one that arrives while `write` runs is handled after its `finally`
 * removed the temporary file; the listener then gives the signal its usual effect. Without a
 * listener, the signal would end the process mid-write and leave the temporary file behind.
 */
function holdingSignals(write: () => void): void {
  const release = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
  };
  function stop(signal: NodeJS.Signals) {
    release();
    process.kill(process.pid, signal);
  }
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  try {
    write();
  } finally {
    // A signal that arrived during `write` is delivered in this turn of the event loop, before this runs.
    setImmediate(release);
  }
}

/**
 * Writes the manifest to `file` with mode 0600, all or nothing: the bytes go to an exclusively
 * created temporary file beside it (every byte, however many writes it takes), which then takes
 * `file`'s place (a hard link when nothing may be replaced, a rename over a regular file with
 * --force). The temporary file is removed on every path, a full disk, a size limit or Ctrl-C
 * included, so no partial file and no copy of the manifest stays behind after a failure.
 */
export function writePrivateFile(file: string, bytes: Buffer, force: boolean, fs: WriteFs = nodeFs): void {
  checkOutputFile(file, force);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  holdingSignals(() => {
    try {
      writeNewPrivateFile(fs, temp, bytes);
      if (force) fs.renameSync(temp, file);
      else placeWithoutReplacing(fs, temp, file, bytes);
    } catch (err) {
      if (err instanceof CliError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST') throw new CliError(`${file} exists: choose another --out or pass --force to replace it.`, EXIT.usage);
      const why = WRITE_FAILURE[code] ? `${WRITE_FAILURE[code]}, ${code}` : code;
      throw new CliError(
        `cannot write ${file} (${why}); nothing was written: free space or choose another --out, then run the command again.`,
      );
    } finally {
      unlinkQuietly(fs, temp);
    }
  });
}
