import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountRootPrincipal, PolicyStatement, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BrokerFunction } from './broker-function';
import { LIFECYCLE_STEP_BUDGET_MS } from '../contract/deployment';
import { OPERATOR_KINDS, VAULTS, type OperatorKind } from '../contract/vaults';
import { deadLetterQueue, encryptedTopic } from './messaging';
import { jobNotificationPublishers, stackResourceName } from '../policies/service-publishers';

export interface LifecycleProps {
  /** Each vault's API function: its role is the identity of every trigger of that vault. */
  readonly functions: Record<OperatorKind, BrokerFunction>;
  /** Each vault's function environment (its `functionEnv()`), which every trigger gets; the grants are the shared role's already. */
  readonly environments: Record<OperatorKind, Record<string, string>>;
  /** Minutes between reconcile passes; 0 turns the schedule off. */
  readonly captureIntervalMinutes: number;
  /** Administrators of the notification topic's key. */
  readonly keyAdmins: IPrincipal[];
}

/** A notification function's timeout: long enough for NOTIFICATION_BATCH steps of LIFECYCLE_STEP_BUDGET_MS each, with room to spare. */
const NOTIFICATION_TIMEOUT = Duration.seconds(60);
/** Messages per notification batch: as many steps as fit the timeout, one after the other. */
export const NOTIFICATION_BATCH = Math.floor(NOTIFICATION_TIMEOUT.toMilliseconds() / LIFECYCLE_STEP_BUDGET_MS);
/** AWS's advice for a Lambda-polled queue: a visibility timeout of at least six times the function's timeout. */
const NOTIFICATION_VISIBILITY = Duration.seconds(NOTIFICATION_TIMEOUT.toSeconds() * 6);
const RECONCILE_TIMEOUT = Duration.minutes(5);

/**
 * Keeps both vaults in step with Snowball without anyone asking. Default settings, per vault:
 * a reconcile function on a schedule (one pass at a time: reserved concurrency 1, 5-minute
 * timeout); a queue of Snowball's job notifications (SSE, TLS only, visibility six times the
 * function's timeout, a dead-letter queue after 5 receives) feeding a notification function in
 * batches that fit its timeout, reporting partial batch failures. Both are other
 * triggers of the vault's own function (same role, same environment, own entry file). One
 * job-notification topic, encrypted with its own rotating key, fans out to both queues.
 */
export class Lifecycle extends Construct {
  readonly notificationTopic: Topic;
  /** Every function the lifecycle adds, by name (for alarms on their errors). */
  readonly functions: Record<string, BrokerFunction> = {};
  /** The functions it adds per vault, in the order made (schedule, then notification). */
  readonly triggers: Record<OperatorKind, BrokerFunction[]> = { manifest: [], unlockCode: [] };
  /** The notification queues' dead-letter queues, by vault (for alarms). */
  readonly deadLetterQueues: Partial<Record<OperatorKind, Queue>> = {};

  constructor(scope: Construct, id: string, props: LifecycleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.notificationTopic = encryptedTopic(this, 'JobNotification', {
      topicName: stackResourceName(stack.stackName, 'JobNotifications'),
      displayName: 'Snowball job notifications for the credential broker',
      keyDescription: 'snowball-credential-broker: encrypts Snowball job notifications',
      keyAdmins: props.keyAdmins,
      // Snowball publishes job notifications as importexport.amazonaws.com (Snow developer guide).
      publishers: jobNotificationPublishers({ partition: Aws.PARTITION, region: stack.region, account: stack.account }),
      keyUsers: [
        new PolicyStatement({
          sid: 'PublishThroughSnsOnly',
          principals: [new AccountRootPrincipal()],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com`, 'kms:CallerAccount': stack.account } },
        }),
      ],
    });
    // As SNS's default policy would: principals of the account allowed sns:Publish may publish too
    // (a message is only a hint; the functions ask DescribeJob what the job's state is).
    this.notificationTopic.addToResourcePolicy(
      new PolicyStatement({ sid: 'JobRolesOfThisAccountPublish', principals: [new AccountRootPrincipal()], actions: ['sns:Publish'], resources: [this.notificationTopic.topicArn] }),
    );
    for (const kind of OPERATOR_KINDS) {
      if (props.captureIntervalMinutes > 0) this.addSchedule(kind, props);
      this.addNotificationQueue(kind, props);
    }
  }

  private trigger(kind: OperatorKind, props: LifecycleProps, what: 'Reconcile' | 'Notification'): BrokerFunction {
    const schedule = what === 'Reconcile';
    const vault = VAULTS[kind];
    const fn = new BrokerFunction(this, `${vault.name}${what}`, {
      entry: vault.entries[schedule ? 'schedule' : 'notification'],
      description: schedule
        ? `Reconciles the ${kind} vault with Snowball's job list: captures WithCustomer jobs, retires finished and expired ones`
        : `Acts on Snowball job notifications for the ${kind} vault`,
      memorySize: vault.memorySize,
      sharesRoleWith: props.functions[kind],
      timeout: schedule ? RECONCILE_TIMEOUT : NOTIFICATION_TIMEOUT,
      reservedConcurrency: schedule ? 1 : 2,
      invokedBy: schedule ? 'schedule' : 'queue',
      environment: props.environments[kind],
    });
    this.functions[`${vault.name}${what}`] = fn;
    this.triggers[kind].push(fn);
    return fn;
  }

  private addSchedule(kind: OperatorKind, props: LifecycleProps): void {
    const fn = this.trigger(kind, props, 'Reconcile');
    const { name } = VAULTS[kind];
    const rule = new Rule(this, `${name}ReconcileSchedule`, {
      ruleName: stackResourceName(Stack.of(this).stackName, `${name}ReconcileSchedule`),
      description: `Runs a reconcile pass of the ${kind} vault`,
      schedule: Schedule.rate(Duration.minutes(props.captureIntervalMinutes)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A scheduled tick carries nothing: a pass that did not run is made up by the next one.',
    });
  }

  private addNotificationQueue(kind: OperatorKind, props: LifecycleProps): void {
    const { name } = VAULTS[kind];
    const dlq = deadLetterQueue(this, `${name}NotificationsDLQ`, `the ${kind} notification queue`);
    this.deadLetterQueues[kind] = dlq;
    const queue = new Queue(this, `${name}Notifications`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: NOTIFICATION_VISIBILITY,
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
    this.notificationTopic.addSubscription(new SqsSubscription(queue, { deadLetterQueue: dlq }));
    const fn = this.trigger(kind, props, 'Notification');
    fn.addEventSource(new SqsEventSource(queue, { batchSize: NOTIFICATION_BATCH, reportBatchItemFailures: true, maxConcurrency: 2 }));
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: "Lambda has no on-failure destination for SQS sources; the queue's redrive policy sends failing messages to its dead-letter queue.",
    });
  }
}
