import { VAULTS, type OperatorKind } from '../contract/vaults';

/**
 * Who may deliver into the stack's encrypted topics, as plain IAM policy JSON: the constructs add
 * these statements to each topic's policy and key policy, and the sandbox judges its own deliveries
 * (alarm notifications, Snowball job notifications) with the very same statements. CDK-free.
 */

/** An AWS service that publishes into a topic, and the resources it may publish for. */
export interface ServicePublisher {
  /** Statement id, unique within the topic's policy and its key's policy. */
  readonly sid: string;
  /** Its service principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** ARN patterns of the resources it publishes for (AWS fills `aws:SourceArn` with the one at hand). */
  readonly sourceArns: readonly string[];
}

/** Where the topic is: its ARN and its account. */
export interface TopicPlace {
  readonly topicArn: string;
  readonly account: string;
}

/** An IAM policy statement as JSON. */
export type StatementJson = Record<string, unknown>;

/** The KMS actions SNS calls with a publisher's identity to encrypt what it publishes. */
export const TOPIC_KEY_ACTIONS = ['kms:GenerateDataKey*', 'kms:Decrypt'] as const;

/**
 * Topic policy: each service may publish, but only for its own resources of this account
 * (`aws:SourceArn`, `aws:SourceAccount`), the confused-deputy guard AWS documents for SNS.
 */
export function topicPublishStatements(place: TopicPlace, publishers: readonly ServicePublisher[]): StatementJson[] {
  return publishers.map((p) => ({
    Sid: p.sid,
    Effect: 'Allow',
    Principal: { Service: p.service },
    Action: 'sns:Publish',
    Resource: place.topicArn,
    Condition: { StringEquals: { 'aws:SourceAccount': place.account }, ArnLike: { 'aws:SourceArn': [...p.sourceArns] } },
  }));
}

/**
 * Key policy: each service may use the topic's key only for this topic
 * (`kms:EncryptionContext:aws:sns:topicArn`, which SNS sets on every call it makes for the topic,
 * as AWS's example for Snow notifications conditions it). The source keys are checked where the
 * call carries them (`…IfExists`): AWS does not document, service by service, whether the KMS
 * call SNS makes on a publisher's behalf carries them, and a condition on an absent key would
 * silently drop every notification.
 */
export function topicKeyStatements(place: TopicPlace, publishers: readonly ServicePublisher[]): StatementJson[] {
  return publishers.map((p) => ({
    Sid: p.sid,
    Effect: 'Allow',
    Principal: { Service: p.service },
    Action: [...TOPIC_KEY_ACTIONS],
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': place.topicArn },
      StringEqualsIfExists: { 'aws:SourceAccount': place.account },
      ArnLikeIfExists: { 'aws:SourceArn': [...p.sourceArns] },
    },
  }));
}

/** The names every resource of a stack that publishes is given, so a policy can name them by prefix. */
export function stackResourceName(stackName: string, id: string): string {
  return `${stackName}-${id}`;
}

/** What publishes into the alerts topic: the stack's alarms and its EventBridge rules. */
export function alertPublishers(where: { partition: string; region: string; account: string; stackName: string }): ServicePublisher[] {
  const { partition, region, account, stackName } = where;
  return [
    {
      sid: 'AlarmsOfThisStackPublish',
      service: 'cloudwatch.amazonaws.com',
      sourceArns: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:${stackName}-*`],
    },
    {
      sid: 'RulesOfThisStackPublish',
      service: 'events.amazonaws.com',
      sourceArns: [`arn:${partition}:events:${region}:${account}:rule/${stackName}-*`],
    },
  ];
}

/**
 * What publishes into the job-notification topic: Snowball (service principal
 * `importexport.amazonaws.com`, per the Snow developer guide), for the jobs of this account in the
 * broker's region.
 */
export function jobNotificationPublishers(where: { partition: string; region: string; account: string }): ServicePublisher[] {
  const { partition, region, account } = where;
  return [
    { sid: 'SnowballJobsPublish', service: 'importexport.amazonaws.com', sourceArns: [`arn:${partition}:snowball:${region}:${account}:*`] },
  ];
}

/** Ids of the lifecycle's alarms per vault (each named `STACK-ID`), shared by the stack and the sandbox. */
export const LIFECYCLE_ALARM_IDS = {
  reconcileFailed: (kind: OperatorKind) => `${VAULTS[kind].name}ReconcileFailed`,
  deadLetters: (kind: OperatorKind) => `Lifecycle${VAULTS[kind].name}DeadLetters`,
} as const;
