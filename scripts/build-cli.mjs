// Builds the operator CLI into one entry file (dist/cli/snowball-broker.mjs, with lazily loaded chunks) and a standalone
// package beside it (dist/cli/package.json) that `npm run pack:cli` turns into an installable
// tarball. Run by `npm ci` (prepare) and `npm run build`. Plain JS: it must run before anything is built.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');

// Built beside dist/cli and moved into place only when it differs, so a build never leaves a
// half-written CLI and a build of unchanged sources (pack:cli during the tests) touches nothing
// another process is running.
mkdirSync(join(root, 'dist'), { recursive: true });
const staging = mkdtempSync(join(root, 'dist', '.cli-build-'));
chmodSync(staging, 0o755);
try {
  await buildInto(staging);
  if (digest(staging) !== (existsSync(out) ? digest(out) : '')) replace(out, staging);
} finally {
  rmSync(staging, { recursive: true, force: true });
}

/** Every file below `dir`, by relative path, with its content. */
function digest(dir) {
  const hash = createHash('sha256');
  const walk = (rel) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else
        hash
          .update(`${path}\0`)
          .update(readFileSync(join(dir, path)))
          .update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}

/**
 * Swaps `next` in for `current` with two renames; the old tree is removed after. A build running
 * at the same time may win either rename: then its tree stays, built from the same sources.
 */
function replace(current, next) {
  const old = `${next}-old`;
  try {
    renameSync(current, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    renameSync(next, current);
  } catch (err) {
    if (!['ENOTEMPTY', 'EEXIST'].includes(err.code)) throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

/** Builds the CLI and its standalone package.json into `dir`. */
async function buildInto(dir) {
  // ESM with code splitting: what a command does not need (the CloudFormation client for --stack,
  // the SSO, STS and process credential providers) sits in chunks loaded only when used, so a
  // start parses a fraction of the SDK.
  await build({
    entryPoints: { 'snowball-broker': join(root, 'cli', 'entry.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);",
    },
    legalComments: 'external',
    logLevel: 'warning',
  });

  const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // Scoped and never published: installed from the tarball's path, so no registry lookup can ever
  // run another package of the same name (an unscoped name is anyone's to publish).
  const pkg = {
    name: '@snowball-credential-broker/cli',
    private: true,
    version: project.version,
    description: 'Operator CLI of snowball-credential-broker: SigV4-signed calls to the broker API with the standard AWS credential chain.',
    license: project.license,
    engines: { node: '>=20' },
    type: 'module',
    bin: { 'snowball-broker': 'snowball-broker.mjs' },
    files: ['snowball-broker.mjs', 'chunks/', '*.LEGAL.txt', 'README.md'],
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The operators' guide travels with the command: a laptop without the repository has it too.
  writeFileSync(join(dir, 'README.md'), readFileSync(join(root, 'docs', 'operators.md')));
}
