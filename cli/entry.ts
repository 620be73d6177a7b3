#!/usr/bin/env node
// The built CLI's entry (scripts/build-cli.mjs bundles it into dist/cli/snowball-broker.mjs).
import { main } from './main';

// Its stderr is one line per failure, so the SDK's multi-line Node-version notice is kept off it
// (the SDK reads this when it would warn, after the imports above).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main();
