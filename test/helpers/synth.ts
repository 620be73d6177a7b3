import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { BrokerStack } from '../../lib/broker-stack';
import { parseConfig } from '../../lib/config';
import { cdkJsonContext } from '../../tools/bundles';
import { SYNTH_CACHE_ENV } from './run-cache';

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

export interface Synthesized {
  readonly app: App;
  readonly stack: BrokerStack;
  readonly template: Template;
}

/** Builds the broker stack as `bin/app.ts` does. */
function build(overrides: Record<string, unknown>, bundle: boolean): { app: App; stack: BrokerStack } {
  const context = { ...cdkJsonContext(), ...overrides, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ context });
  const config = parseConfig((key) => app.node.tryGetContext(key));
  return { app, stack: new BrokerStack(app, 'Broker', { config, env: TEST_ENV }) };
}

/**
 * The template of one configuration, synthesized once per test run and shared by every test file
 * through the run's cache folder (a synth costs seconds; reading it back, milliseconds). Written
 * with a rename, so parallel workers read whole files only. Answers the stack it built, if it did.
 */
function cachedTemplate(overrides: Record<string, unknown>): { template: Template; built?: { app: App; stack: BrokerStack } } {
  const dir = process.env[SYNTH_CACHE_ENV];
  const file = dir && path.join(dir, `${createHash('sha256').update(JSON.stringify(overrides)).digest('hex').slice(0, 32)}.json`);
  if (file && existsSync(file)) return { template: Template.fromJSON(JSON.parse(readFileSync(file, 'utf8'))) };
  const built = build(overrides, false);
  const template = Template.fromStack(built.stack);
  if (file) {
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(template.toJSON()));
    renameSync(`${file}.${process.pid}`, file);
  }
  return { template, built };
}

/**
 * The broker stack of a configuration. Bundling is skipped unless `bundle` is set: template tests do
 * not need the Lambda code (test/infra/bundles.test.ts builds it for real). The template comes from
 * the run's cache (a configuration that does not synthesize throws here, at the call); the app and
 * stack are built only when a test asks for them (annotations, cdk-nag, a real assembly).
 */
export function synthBroker(overrides: Record<string, unknown> = {}, bundle = false): Synthesized {
  if (bundle) {
    const { app, stack } = build(overrides, true);
    return { app, stack, template: Template.fromStack(stack) };
  }
  const cached = cachedTemplate(overrides);
  const template = cached.template;
  let built = cached.built;
  const lazy = () => (built ??= build(overrides, false));
  return {
    template,
    get app() {
      return lazy().app;
    },
    get stack() {
      return lazy().stack;
    },
  };
}
