import { randomUUID } from 'node:crypto';
import { alertPaths, alertTemplate, type AlertRule } from '../policies/alert-rules';
import { matchesPattern } from './event-pattern';
import type { SandboxPrincipal } from './identities';

/** One call a stand-in answered, as CloudTrail would record it. */
export interface RecordedCall {
  readonly service: 'snowball' | 'secretsmanager' | 's3';
  readonly eventName: string;
  readonly principal: SandboxPrincipal;
  readonly requestParameters: Record<string, string>;
  /** Set when the call was refused. */
  readonly errorCode?: string;
}

/** An alert exactly as the deployed rule's input transformer writes it. */
export type Alert = Record<string, string>;

/** A message a service tried to deliver and AWS would have refused: it never arrived. */
export interface Undelivered {
  readonly topicArn: string;
  readonly service: string;
  readonly sourceArn: string;
  readonly reason: string;
  readonly at: string;
}

function valueAt(event: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      event,
    );
}

/**
 * What EventBridge's input transformer does with the rule's template: each quoted `<name>` is
 * replaced by the value at its path, escaped as a JSON string; a missing path leaves "".
 */
export function renderAlert(rule: AlertRule, event: unknown): Alert {
  const paths = alertPaths(rule);
  const text = alertTemplate(rule).replace(/<([A-Za-z]+)>/g, (whole, name: string) => {
    if (!(name in paths)) return whole;
    const value = valueAt(event, paths[name]);
    if (value === undefined || value === null) return '';
    return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1);
  });
  return JSON.parse(text) as Alert;
}

/** The CloudTrail record of a call, in the shape EventBridge delivers ("AWS API Call via CloudTrail"). */
function cloudTrailEvent(call: RecordedCall, account: string, region: string) {
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const role = call.principal.roleArn;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${call.service}`,
    account,
    time: at,
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        arn: call.principal.callerArn,
        accountId: account,
        accessKeyId: call.principal.accessKeyId,
        sessionContext: { sessionIssuer: { type: 'Role', arn: role, accountId: account, userName: role.split('/').pop() } },
      },
      eventTime: at,
      eventSource: `${call.service}.amazonaws.com`,
      eventName: call.eventName,
      awsRegion: region,
      sourceIPAddress: '127.0.0.1',
      requestParameters: call.requestParameters,
      ...(call.errorCode ? { errorCode: call.errorCode } : {}),
      eventType: 'AwsApiCall',
      recipientAccountId: account,
    },
  };
}

/**
 * The sandbox's CloudTrail and EventBridge in one: every call a stand-in answers is recorded,
 * matched against the deployed detection rules (policies/alert-rules.ts) and, on a match, rendered
 * into the same alert the alerts topic would carry.
 */
export class SandboxTrail {
  readonly alerts: Alert[] = [];
  /** Deliveries into the sandbox's topics that their policies refused (shown beside the alerts). */
  readonly undelivered: Undelivered[] = [];

  constructor(
    private readonly rules: AlertRule[],
    private readonly where: { account: string; region: string },
    private readonly onAlert: (alert: Alert) => void = () => undefined,
  ) {}

  /** An alert that reached the alerts topic by another way than a rule (an alarm's notification). */
  deliver(alert: Alert): void {
    this.alerts.push(alert);
    this.onAlert(alert);
  }

  record(call: RecordedCall): void {
    const event = cloudTrailEvent(call, this.where.account, this.where.region);
    for (const rule of this.rules) {
      if (!matchesPattern(rule.pattern, event)) continue;
      const alert = renderAlert(rule, event);
      this.alerts.push(alert);
      this.onAlert(alert);
    }
  }
}
