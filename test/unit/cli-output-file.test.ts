import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliError } from '../../cli/errors';
import { writePrivateFile } from '../../cli/output-file';

/** Failures injected into the fs calls the writer makes; each test sets what it needs. */
const inject: { rename?: () => void; link?: (from: string, to: string) => void } = {};
jest.mock('node:fs', () => {
  const actual = jest.requireActual('node:fs');
  return {
    ...actual,
    renameSync: (from: string, to: string) => (inject.rename ? inject.rename() : actual.renameSync(from, to)),
    linkSync: (from: string, to: string) => (inject.link ? inject.link(from, to) : actual.linkSync(from, to)),
  };
});

const MANIFEST = Buffer.from('encrypted manifest bytes');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'out-file-'));
});
afterEach(() => {
  delete inject.rename;
  delete inject.link;
});

const files = () => readdirSync(dir).sort();
const failure = (fn: () => void): CliError => {
  try {
    fn();
  } catch (err) {
    return err as CliError;
  }
  throw new Error('expected a failure');
};

describe('writing the manifest file', () => {
  it('creates a new file with mode 0600 and nothing else', () => {
    const out = path.join(dir, 'manifest.bin');
    writePrivateFile(out, MANIFEST, false);
    expect(readFileSync(out).equals(MANIFEST)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(files()).toEqual(['manifest.bin']);
  });

  it('removes its temporary copy when the final rename fails, and says nothing was written', () => {
    const out = path.join(dir, 'manifest.bin');
    writeFileSync(out, 'kept');
    inject.rename = () => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    };
    const err = failure(() => writePrivateFile(out, MANIFEST, true));
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(/cannot write .*ENOSPC.*nothing was written/);
    expect(files()).toEqual(['manifest.bin']);
    expect(readFileSync(out, 'utf8')).toBe('kept');
  });

  it('never replaces a file that appeared after the check (no --force), and removes its temporary copy', () => {
    const out = path.join(dir, 'manifest.bin');
    inject.link = (from, to) => {
      writeFileSync(out, 'someone else');
      jest.requireActual('node:fs').linkSync(from, to);
    };
    const err = failure(() => writePrivateFile(out, MANIFEST, false));
    expect(err.message).toMatch(/exists/);
    expect(err.exitCode).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('someone else');
    expect(files()).toEqual(['manifest.bin']);
  });

  it('writes directly (still exclusive, 0600) on filesystems without hard links', () => {
    const out = path.join(dir, 'manifest.bin');
    inject.link = () => {
      throw Object.assign(new Error('not supported'), { code: 'EPERM' });
    };
    writePrivateFile(out, MANIFEST, false);
    expect(readFileSync(out).equals(MANIFEST)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(files()).toEqual(['manifest.bin']);
  });
});

/** The real fs, with `writeSync` replaced: a disk that takes fewer bytes than asked, then fails. */
function shortWrites(perCall: number, thenFail?: string) {
  const actual = jest.requireActual('node:fs');
  let calls = 0;
  return {
    ...actual,
    writeSync: (fd: number, buffer: Buffer, offset = 0, length = buffer.length - offset) => {
      calls++;
      if (thenFail && calls > 1) throw Object.assign(new Error(thenFail), { code: thenFail });
      return actual.writeSync(fd, buffer, offset, Math.min(length, perCall));
    },
    calls: () => calls,
  };
}

describe('writing the manifest file, all or nothing, when the disk takes less than asked', () => {
  const BIG = Buffer.alloc(2048, 7);

  it('continues a short write until every byte is on disk', () => {
    const out = path.join(dir, 'manifest.bin');
    const fs = shortWrites(1000);
    writePrivateFile(out, BIG, false, fs);
    expect(readFileSync(out).equals(BIG)).toBe(true);
    expect(fs.calls()).toBe(3);
    expect(files()).toEqual(['manifest.bin']);
  });

  it.each([
    ['EFBIG', /file size limit \(ulimit -f\).*EFBIG.*nothing was written/],
    ['ENOSPC', /disk is full.*ENOSPC.*nothing was written/],
  ])('reports %s after a short write, and leaves neither the file nor a temporary copy', (code, says) => {
    const out = path.join(dir, 'manifest.bin');
    const err = failure(() => writePrivateFile(out, BIG, false, shortWrites(1024, code)));
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(says);
    expect(err.exitCode).toBe(1);
    expect(files()).toEqual([]);
  });

  it('with --force, leaves the file it would have replaced as it was', () => {
    const out = path.join(dir, 'manifest.bin');
    writeFileSync(out, 'kept');
    failure(() => writePrivateFile(out, BIG, true, shortWrites(1024, 'ENOSPC')));
    expect(readFileSync(out, 'utf8')).toBe('kept');
    expect(files()).toEqual(['manifest.bin']);
  });
});

describe('writing the manifest file when a stop signal arrives mid-write', () => {
  /** A child process whose disk delivers `signal` to it after the first 1 KiB, as Ctrl-C or kill would. */
  const childWriting = (signal: string, out: string) =>
    spawnSync(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        '-e',
        `const fs = require('node:fs');
         const { writePrivateFile } = require('./cli/output-file');
         let n = 0;
         const injected = { ...fs, writeSync: (fd, b, o = 0, l = b.length - o) => { if (++n === 2) process.kill(process.pid, '${signal}'); return fs.writeSync(fd, b, o, Math.min(l, 1024)); } };
         writePrivateFile(${JSON.stringify(out)}, Buffer.alloc(4096, 1), false, injected);
         setTimeout(() => process.stdout.write('survived'), 5000);`,
      ],
      { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', timeout: 30_000 },
    );

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'])('on %s removes the temporary copy first, then ends as that signal does', (signal) => {
    const out = path.join(dir, 'manifest.bin');
    const child = childWriting(signal, out);
    expect(child.signal).toBe(signal);
    expect(child.stdout).not.toContain('survived');
    expect(files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The write itself finished before the signal took effect: the file is whole, or absent.
    expect(files().length === 0 || readFileSync(out).equals(Buffer.alloc(4096, 1))).toBe(true);
  });
});
