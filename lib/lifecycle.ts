import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountRootPrincipal, PolicyStatement, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LIFECYCLE_STEP_BUDGET_MS } from '../contract/deployment';
import { OPERATOR_KINDS, VAULTS, type OperatorKind } from '../contract/vaults';
import { deadLetterQueue, encryptedTopic } from './messaging';
import { jobNotificationPublishers, stackResourceName } from '../policies/service-publishers';
import { NOTIFICATION_TIMEOUT } from './vault-functions';

/** The functions of one vault that the lifecycle triggers (its `VaultFunctions`). */
export interface LifecycleTargets {
  /** Run by the reconcile schedule; absent when reconcile passes are off. */
  readonly schedule?: IFunction;
  /** Fed by the vault's notification queue. */
  readonly notification: IFunction;
}

export interface LifecycleProps {
  /** Each vault's functions: the triggers are attached to them, the functions stay their vault's. */
  readonly functions: Record<OperatorKind, LifecycleTargets>;
  /** Minutes between reconcile passes; 0 turns the schedule off (and then no vault may have a schedule function). */
  readonly captureIntervalMinutes: number;
  /** Administrators of the notification topic's key. */
  readonly keyAdmins: IPrincipal[];
}

/** Messages per notification batch: as many steps of LIFECYCLE_STEP_BUDGET_MS as fit the function's timeout, one after the other. */
export const NOTIFICATION_BATCH = Math.floor(NOTIFICATION_TIMEOUT.toMilliseconds() / LIFECYCLE_STEP_BUDGET_MS);
/** AWS's advice for a Lambda-polled queue: a visibility timeout of at least six times the function's timeout. */
const NOTIFICATION_VISIBILITY = Duration.seconds(NOTIFICATION_TIMEOUT.toSeconds() * 6);

/**
 * Keeps both vaults in step with Snowball without anyone asking, by triggering functions each
 * vault owns (`VaultFunctions`: same role, same environment, own entry file). Default settings, per
 * vault: a schedule rule running its schedule function (no retries: the next pass makes up a missed
 * one); a queue of Snowball's job notifications (SSE, TLS only, visibility six times the
 * notification function's timeout, a dead-letter queue after 5 receives) feeding its notification
 * function in batches that fit its timeout, reporting partial batch failures, at most two at once.
 * One job-notification topic, encrypted with its own rotating key, fans out to both queues.
 */
export class Lifecycle extends Construct {
  readonly notificationTopic: Topic;
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
      new PolicyStatement({
        sid: 'JobRolesOfThisAccountPublish',
        principals: [new AccountRootPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.notificationTopic.topicArn],
      }),
    );
    for (const kind of OPERATOR_KINDS) {
      const { schedule, notification } = props.functions[kind];
      if (props.captureIntervalMinutes > 0 !== (schedule !== undefined)) {
        const interval = props.captureIntervalMinutes;
        throw new Error(
          `The ${kind} vault's schedule function and captureIntervalMinutes (${interval}) disagree: give one exactly when the interval is above 0.`,
        );
      }
      if (schedule) this.addSchedule(kind, schedule, props.captureIntervalMinutes);
      this.addNotificationQueue(kind, notification);
    }
  }

  private addSchedule(kind: OperatorKind, fn: IFunction, minutes: number): void {
    const { name } = VAULTS[kind];
    const rule = new Rule(this, `${name}ReconcileSchedule`, {
      ruleName: stackResourceName(Stack.of(this).stackName, `${name}ReconcileSchedule`),
      description: `Runs a reconcile pass of the ${kind} vault`,
      schedule: Schedule.rate(Duration.minutes(minutes)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A scheduled tick carries nothing: a pass that did not run is made up by the next one.',
    });
  }

  private addNotificationQueue(kind: OperatorKind, fn: IFunction): void {
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
    fn.addEventSource(new SqsEventSource(queue, { batchSize: NOTIFICATION_BATCH, reportBatchItemFailures: true, maxConcurrency: 2 }));
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "Lambda has no on-failure destination for SQS sources; the queue's redrive policy sends failing messages to its dead-letter queue.",
    });
  }
}
