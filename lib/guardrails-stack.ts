import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import type { GuardrailsConfig } from './guardrails-config';
import { guardrailsScps } from './guardrails-scps';

export interface GuardrailsStackProps extends StackProps {
  readonly config: GuardrailsConfig;
}

const PURPOSE = {
  shared: 'credentials only to the broker functions, every broker resource and the detection around it changed only by deploys',
  sealed: 'a dedicated broker account: nobody but the allowlist acts in it, credentials only to the broker functions',
} as const;

/**
 * The optional prevention layer, deployed in the organisation's management account (or by a
 * delegated administrator for Organizations policies): the service control policies of the
 * configured mode (policies/guardrails-policy.ts for shared, lib/guardrails-sealed.ts for sealed),
 * each attached to the accounts, OUs or root named. Synth stops when one would be too large.
 */
export class GuardrailsStack extends Stack {
  constructor(scope: Construct, id: string, props: GuardrailsStackProps) {
    super(scope, id, props);
    const { config } = props;
    guardrailsScps(config).forEach((scp, i) => {
      const policy = new CfnPolicy(this, `BrokerGuardrails${i + 1}`, {
        name: scp.name,
        type: 'SERVICE_CONTROL_POLICY',
        description:
          `Snowball credential broker guardrails (${config.mode}) for account ${config.brokerAccountId}: ${PURPOSE[config.mode]}`.slice(
            0,
            512,
          ),
        content: scp.content,
        targetIds: config.targetIds,
      });
      new CfnOutput(this, `GuardrailsPolicyId${i + 1}`, { value: policy.ref });
    });
  }
}
