import { version } from '../../package.json';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The operator CLI as operators install it: one built file in a tarball, no clone, no dependencies. */
const ROOT = path.join(__dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'cli-package-'));

describe('npm run pack:cli', () => {
  it('makes a tarball that installs with npm install -g and runs without the repository', () => {
    execFileSync('npm', ['run', '--silent', 'pack:cli', '--', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => /^snowball-credential-broker-cli-.*\.tgz$/.test(f))!;
    expect(tarball).toBeDefined();
    const prefix = path.join(work, 'global');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(work, tarball)], {
      stdio: 'pipe',
    });
    const bin = path.join(prefix, 'bin', 'snowball-broker');
    expect(existsSync(bin)).toBe(true);
    const help = execFileSync(bin, ['--help'], { cwd: work, env: { PATH: process.env.PATH, HOME: work }, encoding: 'utf8' });
    expect(help).toMatch(/^Usage: snowball-broker COMMAND/);
    expect(execFileSync(bin, ['--version'], { cwd: work, env: { PATH: process.env.PATH, HOME: work }, encoding: 'utf8' }).trim()).toBe(
      version,
    );
    expect(readdirSync(path.join(prefix, 'lib', 'node_modules', '@snowball-credential-broker', 'cli'))).not.toContain('node_modules');
  });

  it('is scoped and private, so no registry lookup or accidental publish involves an unscoped name', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'cli', 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@snowball-credential-broker/cli',
      private: true,
      bin: { 'snowball-broker': 'snowball-broker.mjs' },
    });
  });

  it('is never documented as npx snowball-broker, nor banner-printed so', () => {
    const readme = ['README.md', 'docs/operators.md', 'docs/sandbox.md']
      .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n')
      .replace(/Never run it as[\s\S]*?without the repository/, '');
    const banner = readFileSync(path.join(ROOT, 'sandbox', 'banner.ts'), 'utf8');
    for (const text of [readme, banner])
      expect(text.split('\n').filter((l) => /npx (snowball-broker|@snowball-credential-broker)/.test(l))).toEqual([]);
  });
});
