import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** The CLI build (`npm run build`, `pack:cli`) runs while other test files run the built CLI. */
const ROOT = path.join(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'cli', 'snowball-broker.mjs');
const build = () => promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT });

describe('the CLI build', () => {
  it('leaves an up-to-date build untouched, so a pack during the tests never removes the CLI others run', async () => {
    await build();
    const before = statSync(ENTRY);
    await Promise.all([build(), build()]);
    const after = statSync(ENTRY);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });
});
