import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BrokerStack } from '../../lib/broker-stack';
import { parseConfig } from '../../lib/config';

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/** The context `cdk synth` would see: cdk.json's defaults and feature flags, plus overrides. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: BrokerStack;
  readonly template: Template;
}

/**
 * Builds the broker stack as `bin/app.ts` does. Bundling is skipped unless `bundle` is set:
 * template tests do not need the Lambda code (test/infra/bundles.test.ts builds it for real).
 */
export function synthBroker(overrides: Record<string, unknown> = {}, bundle = false): Synthesized {
  const context = { ...cdkJsonContext(), ...overrides, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ context });
  const config = parseConfig((key) => app.node.tryGetContext(key));
  const stack = new BrokerStack(app, 'Broker', { config, env: TEST_ENV });
  return { app, stack, template: Template.fromStack(stack) };
}
