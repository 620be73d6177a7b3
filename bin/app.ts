#!/usr/bin/env node
import { App, Tags, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BrokerStack } from '../lib/broker-stack';
import { ConfigError, parseConfig } from '../lib/config';
import { parseGuardrailsConfig } from '../lib/guardrails-config';
import { STABLE_NAMES } from '../contract/deployment';
import { companionRegions, companionStackName, GlobalEventsStack, STS_ALERT_REGIONS_KEY } from '../lib/guardrails-global-events-stack';
import { GuardrailsTooLargeError } from '../policies/guardrails-policy';
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
  // IAM and global STS events reach EventBridge only in us-east-1: a companion there forwards them
  // (and one in each stsAlertRegions region forwards that region's STS calls).
  if (env.region && !Token.isUnresolved(env.region)) {
    for (const region of companionRegions(env.region, context(STS_ALERT_REGIONS_KEY))) {
      const companion = new GlobalEventsStack(app, companionStackName(region), {
        brokerRegion: env.region,
        description: `Snowball credential broker: forwards IAM and STS events from ${region} to the broker region for its guardrail alerts`,
        env: { account: env.account, region },
      });
      Tags.of(companion).add(STABLE_NAMES.guardTag.key, STABLE_NAMES.guardTag.value);
    }
  }
  // Only when asked: it is deployed in the organisation's management account, not the broker's.
  const guardrails = parseGuardrailsConfig(context);
  if (guardrails) {
    new GuardrailsStack(app, 'SnowballCredentialBrokerGuardrails', {
      config: guardrails,
      description: 'Snowball credential broker guardrails: the service control policies for the broker account',
      env,
    });
  }
} catch (err) {
  if (!(err instanceof ConfigError) && !(err instanceof GuardrailsTooLargeError)) throw err;
  console.error(`Configuration error: ${err.message}`);
  process.exit(1);
}
