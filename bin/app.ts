#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BrokerStack } from '../lib/broker-stack';
import { ConfigError, parseConfig } from '../lib/config';

const app = new App();
// Compliance is part of every synth: an unacknowledged AwsSolutions or Serverless finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
try {
  const config = parseConfig((key) => app.node.tryGetContext(key));
  new BrokerStack(app, 'SnowballCredentialBroker', {
    config,
    description: 'Snowball credential broker: job manifests and unlock codes in two IAM-guarded vaults',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`Configuration error: ${err.message}`);
  process.exit(1);
}
