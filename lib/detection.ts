import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import {
  CfnRule,
  Rule,
  RuleTargetInput,
  type IRuleRef,
  type IRuleTarget,
  type RuleTargetConfig,
  type RuleTargetInputProperties,
} from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, ServicePrincipal, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { alertPaths, alertRules, alertTemplate, type AlertRule, type AlertSubjects } from '../policies/alert-rules';
import { MANIFEST_KEY_PREFIX } from '../contract/vault-layout';
import { deadLetterQueue, encryptedTopic } from './messaging';
import { alertPublishers, stackResourceName } from '../policies/service-publishers';

export interface DetectionProps {
  /** The identities and resources the rules watch. */
  readonly subjects: AlertSubjects;
  /** Subscribed to the alerts topic by e-mail. Default: none. */
  readonly alertEmails: string[];
  /** The manifest vault bucket, for the optional data-event trail. */
  readonly manifestBucket: IBucket;
  /** Create a trail for management events. Default: false (an existing or organisation trail serves). */
  readonly managementTrail: boolean;
  /** Create a trail with S3 data events for the vault bucket (costs money). Default: false. */
  readonly manifestReadTrail: boolean;
  /** Administrators of the alerts topic's key. */
  readonly keyAdmins: IPrincipal[];
  /** Where the trail's log bucket writes its own server access logs. */
  readonly accessLogs: IBucket;
}

/** The input transformer of one alert: the rule's JSON paths and its JSON template, verbatim. */
class AlertMessage extends RuleTargetInput {
  constructor(private readonly rule: AlertRule) {
    super();
  }

  bind(_rule: IRuleRef): RuleTargetInputProperties {
    return { inputPathsMap: alertPaths(this.rule), inputTemplate: alertTemplate(this.rule) };
  }
}

/**
 * An alerts-topic target that adds no permission of its own: unlike CDK's `SnsTopic` target (an
 * unconditioned `events.amazonaws.com` allow on the topic and its key), the topic admits the
 * stack's rules by name through its publishers (policies/service-publishers.ts).
 */
class AlertTopicTarget implements IRuleTarget {
  constructor(
    private readonly topic: ITopic,
    private readonly message: RuleTargetInput,
    private readonly undelivered: IQueue,
  ) {}

  bind(rule: IRuleRef): RuleTargetConfig {
    addToDeadLetterQueueResourcePolicy(rule, this.undelivered);
    return {
      arn: this.topic.topicArn,
      input: this.message,
      deadLetterConfig: { arn: this.undelivered.queueArn },
      // EventBridge retries for 24 hours at most; 185 attempts span them.
      retryPolicy: { maximumRetryAttempts: 185 },
      targetResource: this.topic,
    };
  }
}

/**
 * Detection around the broker. Default settings: an alerts topic encrypted with its own rotating
 * key, TLS-only, admitting this stack's alarms and rules only (by name and source, on the topic
 * and its key), with the configured e-mail subscriptions; one EventBridge rule per alert of
 * policies/alert-rules.ts, in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (the Get* calls it
 * watches are read-only events), each rendering a readable alert that never holds a secret,
 * retried for 24 hours and then kept in a dead-letter queue; optionally a trail.
 */
export class Detection extends Construct {
  readonly topic: Topic;
  /** Alerts EventBridge could not deliver to the topic after its retries. */
  readonly undelivered: Queue;

  constructor(scope: Construct, id: string, props: DetectionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = encryptedTopic(this, 'AlertTopic', {
      topicName: stackResourceName(stack.stackName, 'Alerts'),
      displayName: 'Snowball credential broker alerts',
      keyDescription: 'snowball-credential-broker: encrypts the alerts topic',
      keyAdmins: props.keyAdmins,
      // The stack's alarms and rules, each named with the stack's name (BrokerAlarms, addRule).
      publishers: alertPublishers({ partition: Aws.PARTITION, region: stack.region, account: stack.account, stackName: stack.stackName }),
    });
    this.undelivered = deadLetterQueue(
      this,
      'UndeliveredAlerts',
      'the alert rules and e-mail subscriptions (the UndeliveredAlerts alarm watches it)',
    );
    for (const address of props.alertEmails)
      this.topic.addSubscription(new EmailSubscription(address, { deadLetterQueue: this.undelivered }));
    // The guardrail rules watch every key of the broker, this topic's own key included.
    const brokerKeyArns = [...(props.subjects.brokerKeyArns ?? props.subjects.vaultKeyArns), this.topic.masterKey!.keyArn];
    const rules = alertRules({ ...props.subjects, brokerKeyArns, manifestReads: props.manifestReadTrail });
    for (const alert of rules) this.addRule(alert);
    if (props.managementTrail || props.manifestReadTrail) this.addTrail(props);
  }

  private addRule(alert: AlertRule): void {
    const {
      source,
      'detail-type': detailType,
      detail,
    } = alert.pattern as { source: string[]; 'detail-type': string[]; detail: Record<string, unknown> };
    const rule = new Rule(this, alert.id, {
      ruleName: stackResourceName(Stack.of(this).stackName, alert.id),
      description: alert.title,
      eventPattern: { source, detailType, detail },
      targets: [new AlertTopicTarget(this.topic, new AlertMessage(alert), this.undelivered)],
    });
    // Read-only calls (GetJobUnlockCode, GetSecretValue, …) reach a rule only in this state.
    (rule.node.defaultChild as CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  }

  private addTrail(props: DetectionProps): void {
    const stack = Stack.of(this);
    const trailName = stackResourceName(stack.stackName, 'Trail');
    const bucket = new Bucket(this, 'TrailLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'trail-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'ExpireTrailLogs', expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
    // CDK grants CloudTrail the bucket without naming the trail: CloudTrail may write here for
    // this stack's trail only (the source-ARN condition of AWS's bucket policy for trails).
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudTrailForThisTrailOnly',
        effect: Effect.DENY,
        principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:*'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    const trail = new Trail(this, 'Trail', {
      trailName,
      bucket,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: props.managementTrail,
      managementEvents: props.managementTrail ? ReadWriteType.ALL : ReadWriteType.NONE,
      enableFileValidation: true,
    });
    if (props.manifestReadTrail) {
      // Reads and writes: a removed delete marker (DeleteObject with a version id) un-retires a
      // manifest, and only a write data event shows it (ManifestVersionDeleted).
      trail.addS3EventSelector([{ bucket: props.manifestBucket, objectPrefix: MANIFEST_KEY_PREFIX }], {
        readWriteType: ReadWriteType.ALL,
        includeManagementEvents: props.managementTrail,
      });
    }
    Validations.of(trail).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'CDK grants CloudTrail write access under its own log bucket prefix (AWSLogs/ACCOUNT/*), as CloudTrail requires.',
    });
  }
}
