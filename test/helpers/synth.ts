import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BrokerStack } from '../../lib/broker-stack';
import { parseConfig } from '../../lib/config';
import { cdkJsonContext } from '../../scripts/bundles';

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };


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
