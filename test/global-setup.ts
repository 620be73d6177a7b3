import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findNode24, NODE24_HINT } from '../tools/node24';
import { SYNTH_CACHE_ENV } from './helpers/run-cache';

/**
 * Before the run: a folder where test files share synthesized templates (the workers inherit its
 * path), and one line for what will be skipped (the Node 24 leg of the bundle test).
 */
export default function globalSetup(): void {
  process.env[SYNTH_CACHE_ENV] = mkdtempSync(path.join(tmpdir(), 'snowball-broker-templates-'));
  if (!findNode24()) process.stderr.write(`\nskipping the Node 24 leg of test/infra/bundles.test.ts. ${NODE24_HINT}\n`);
}
