#!/usr/bin/env node
// The operator CLI in a clone: runs the one-file build that `npm ci` (prepare) and `npm run build` make.
const path = require('node:path');
const built = path.join(__dirname, '..', 'dist', 'cli', 'snowball-broker.cjs');
try {
  require.resolve(built);
} catch {
  process.stderr.write('snowball-broker: the CLI is not built yet: run "npm run build" (npm ci does it too).\n');
  process.exit(3);
}
require(built);
