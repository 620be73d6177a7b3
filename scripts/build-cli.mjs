// Builds the operator CLI into one JavaScript file (dist/cli/snowball-broker.cjs) and a standalone
// package beside it (dist/cli/package.json) that `npm run pack:cli` turns into an installable
// tarball. Run by `npm ci` (prepare) and `npm run build`. Plain JS: it must run before anything is built.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'cli', 'entry.ts')],
  outfile: join(out, 'snowball-broker.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'external',
  logLevel: 'warning',
});

const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pkg = {
  name: 'snowball-broker',
  version: project.version,
  description: 'Operator CLI of snowball-credential-broker: SigV4-signed calls to the broker API with the standard AWS credential chain.',
  license: project.license,
  engines: { node: '>=20' },
  bin: { 'snowball-broker': 'snowball-broker.cjs' },
  files: ['snowball-broker.cjs', 'snowball-broker.cjs.LEGAL.txt', 'README.md'],
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(join(out, 'README.md'), '# snowball-broker\n\nThe operator CLI of snowball-credential-broker. `snowball-broker --help` lists its commands; the project README documents them.\n');
