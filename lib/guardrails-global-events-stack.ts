import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnRule, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { STABLE_NAMES } from './contract';
import { globalEventsPattern } from './guardrails-alert-rules';
import { deadLetterQueue } from './messaging';

export interface GlobalEventsStackProps extends StackProps {
  /** The region the broker (its alert rules and topic) is deployed in. */
  readonly brokerRegion: string;
}

/**
 * The broker's small companion in us-east-1: IAM and global STS calls are recorded, and reach
 * EventBridge, only there. One rule forwards them to the broker region's default event bus, where
 * the broker's own guardrail rules (lib/guardrails-alert-rules.ts) turn them into alerts on the
 * alerts topic. The rule and its role carry the broker's stack-name prefix and guard tag, so the
 * guardrails SCPs guard them like the rest of the broker. Not needed when the broker is in us-east-1.
 */
export class GlobalEventsStack extends Stack {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: GlobalEventsStackProps) {
    super(scope, id, props);
    const target = EventBus.fromEventBusArn(this, 'BrokerRegionBus', `arn:${this.partition}:events:${props.brokerRegion}:${this.account}:event-bus/default`);
    const undelivered = deadLetterQueue(this, 'UndeliveredEvents', 'the forwarding of IAM and STS events to the broker region');
    this.rule = new Rule(this, 'ForwardIamAndStsEvents', {
      description: `${STABLE_NAMES.stack}: IAM and global STS calls, to the broker region (${props.brokerRegion}) for its guardrail alerts`,
      eventPattern: { source: globalEventsPattern().source, detailType: globalEventsPattern()['detail-type'] },
      targets: [new EventBusTarget(target, { deadLetterQueue: undelivered })],
    });
    // AssumeRole and the other STS calls are read-only events: they reach a rule only in this state.
    (this.rule.node.defaultChild as CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  }
}
