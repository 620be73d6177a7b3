#!/usr/bin/env node
// The operator CLI in a clone: runs the one-file build that `npm ci` (prepare) and `npm run build` make.
const path = require('node:path');
const { existsSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const built = path.join(__dirname, '..', 'dist', 'cli', 'snowball-broker.mjs');
if (!existsSync(built)) {
  process.stderr.write('snowball-broker: the CLI is not built yet: run "npm run build" (npm ci does it too).\n');
  process.exit(3);
}
// Node 22+ keeps compiled code between runs; on Node 20 this is a no-op.
require('node:module').enableCompileCache?.();
import(pathToFileURL(built).href);
