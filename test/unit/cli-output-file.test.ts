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
