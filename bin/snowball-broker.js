#!/usr/bin/env node
// The operator CLI, run from TypeScript source through tsx (no build step in a clone).
// Its stderr is one line per failure, so the SDK's multi-line Node-version notice is kept off it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../cli/main.ts').main();
