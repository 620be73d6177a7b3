import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnRule, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { ConfigError, stringList } from './config';
import { STABLE_NAMES } from '../contract/deployment';
import { globalEventsPattern } from '../policies/guardrails-alert-rules';
import { deadLetterQueue } from './messaging';

/** Context key: regions beyond us-east-1 whose STS endpoint calls (a break-glass assumption) must alert too. */
export const STS_ALERT_REGIONS_KEY = 'stsAlertRegions';

/**
 * Where companions are needed: us-east-1 (IAM and the global STS endpoint) and every region named
 * in `stsAlertRegions` (regional STS endpoints record there), except the broker's own region.
 */
export function companionRegions(brokerRegion: string, raw: unknown): string[] {
  const extra = stringList(STS_ALERT_REGIONS_KEY, raw, 'AWS regions');
  const bad = extra.find((r) => !/^[a-z]{2}(?:-[a-z]+)+-\d$/.test(r));
  if (bad) throw new ConfigError(`${STS_ALERT_REGIONS_KEY} entry "${bad}" is not a region, like "ap-south-1".`);
  return [...new Set(['us-east-1', ...extra])].filter((region) => region !== brokerRegion);
}

/** The companion's stack name in a region: the us-east-1 one keeps the historic name. */
export function companionStackName(region: string): string {
  return region === 'us-east-1' ? `${STABLE_NAMES.stack}GlobalEvents` : `${STABLE_NAMES.stack}StsEvents-${region}`;
}

export interface GlobalEventsStackProps extends StackProps {
  /** The region the broker (its alert rules and topic) is deployed in. */
  readonly brokerRegion: string;
}

/**
 * The broker's small companion in us-east-1: IAM and global STS calls are recorded, and reach
 * EventBridge, only there. One rule forwards them to the broker region's default event bus, where
 * the broker's own guardrail rules (policies/guardrails-alert-rules.ts) turn them into alerts on the
 * alerts topic. The rule and its role carry the broker's stack-name prefix and guard tag, so the
 * guardrails SCPs guard them like the rest of the broker. Not needed when the broker is in us-east-1.
 * The same companion in another region forwards the STS calls made at that region's endpoint.
 */
export class GlobalEventsStack extends Stack {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: GlobalEventsStackProps) {
    super(scope, id, props);
    const target = EventBus.fromEventBusArn(
      this,
      'BrokerRegionBus',
      `arn:${this.partition}:events:${props.brokerRegion}:${this.account}:event-bus/default`,
    );
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
