#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BrokerStack } from '../lib/broker-stack';
import { ConfigError, parseConfig } from '../lib/config';
import { parseGuardrailsConfig } from '../lib/guardrails-config';
import { GuardrailsTooLargeError } from '../lib/guardrails-policy';
import { GuardrailsStack } from '../lib/guardrails-stack';

const app = new App();
// Compliance is part of every synth: an unacknowledged AwsSolutions or Serverless finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
try {
  const context = (key: string) => app.node.tryGetContext(key);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  new BrokerStack(app, 'SnowballCredentialBroker', {
    config: parseConfig(context),
    description: 'Snowball credential broker: job manifests and unlock codes in two IAM-guarded vaults',
    env,
  });
  // Only when asked: it is deployed in the organisation's management account, not the broker's.
  const guardrails = parseGuardrailsConfig(context);
  if (guardrails) {
    new GuardrailsStack(app, 'SnowballCredentialBrokerGuardrails', {
      config: guardrails,
      description: 'Snowball credential broker guardrails: a service control policy for the broker account',
      env,
    });
  }
} catch (err) {
  if (!(err instanceof ConfigError) && !(err instanceof GuardrailsTooLargeError)) throw err;
  console.error(`Configuration error: ${err.message}`);
  process.exit(1);
}
