import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The operator CLI as operators install it: one built file in a tarball, no clone, no dependencies. */
const ROOT = path.join(__dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'cli-package-'));

describe('npm run pack:cli', () => {
  it('makes a tarball that installs with npm install -g and runs without the repository', () => {
    execFileSync('npm', ['run', '--silent', 'pack:cli', '--', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => /^snowball-broker-.*\.tgz$/.test(f))!;
    expect(tarball).toBeDefined();
    const prefix = path.join(work, 'global');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(work, tarball)], { stdio: 'pipe' });
    const bin = path.join(prefix, 'bin', 'snowball-broker');
    expect(existsSync(bin)).toBe(true);
    const help = execFileSync(bin, ['--help'], { cwd: work, env: { PATH: process.env.PATH, HOME: work }, encoding: 'utf8' });
    expect(help).toMatch(/^Usage: snowball-broker COMMAND/);
    expect(readdirSync(path.join(prefix, 'lib', 'node_modules', 'snowball-broker'))).not.toContain('node_modules');
  });
});
