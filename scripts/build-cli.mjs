// Builds the operator CLI into one entry file (dist/cli/snowball-broker.mjs, with lazily loaded chunks) and a standalone
// package beside it (dist/cli/package.json) that `npm run pack:cli` turns into an installable
// tarball. Run by `npm ci` (prepare) and `npm run build`. Plain JS: it must run before anything is built.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');

// ESM with code splitting: what a command does not need (the CloudFormation client for --stack,
// the SSO, STS and process credential providers) sits in chunks loaded only when used, so a
// start parses a fraction of the SDK.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { 'snowball-broker': join(root, 'cli', 'entry.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);" },
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
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(join(out, 'README.md'), '# snowball-broker\n\nThe operator CLI of snowball-credential-broker. `snowball-broker --help` lists its commands; the project README documents them.\n');
