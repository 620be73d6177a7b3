import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import type { GuardrailsConfig } from './guardrails-config';
import { guardrailsPolicy } from './guardrails-policy';

export interface GuardrailsStackProps extends StackProps {
  readonly config: GuardrailsConfig;
}

/**
 * The optional prevention layer, deployed in the organisation's management account (or by a
 * delegated administrator for Organizations policies): one service control policy, attached to the
 * accounts, OUs or root named, that closes the broker's split at its source (lib/guardrails-policy.ts).
 */
export class GuardrailsStack extends Stack {
  constructor(scope: Construct, id: string, props: GuardrailsStackProps) {
    super(scope, id, props);
    const policy = new CfnPolicy(this, 'BrokerGuardrails', {
      name: `snowball-credential-broker-guardrails-${props.config.brokerAccountId}`,
      type: 'SERVICE_CONTROL_POLICY',
      description: `Snowball credential broker guardrails for account ${props.config.brokerAccountId}: credentials only to the broker's functions, vault guards only through deploys`,
      content: guardrailsPolicy(props.config),
      targetIds: props.config.targetIds,
    });
    new CfnOutput(this, 'GuardrailsPolicyId', { value: policy.ref });
  }
}
