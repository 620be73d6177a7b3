import { randomUUID } from 'node:crypto';
import type { OperatorKind } from '../contract/vaults';
import { jobNotificationPublishers, stackResourceName, type ServicePublisher } from '../policies/service-publishers';
import { SANDBOX_STACK } from './alarms';
import { GuardedTopic } from './delivery-policy';
import type { RunningFunction } from './function-runtime';
import type { DemoJob } from './jobs';
import type { SandboxTrail } from './trail';

/** SQS's redrive limit of each notification queue: after this many receives a message is dead-lettered. */
const MAX_RECEIVES = 5;
const RETRY_DELAY_MS = 200;

/** Snowball's notification prose, as its e-mails and SNS messages word it, naming the job. */
export function notificationProse(job: DemoJob): string {
  return `Your job sandbox-import (${job.jobId}) is now in the ${job.state} state. Visit the AWS Snow Family Management Console for details.`;
}

/** The SNS envelope an SQS subscriber receives (raw message delivery off). */
function snsEnvelope(topicArn: string, message: string) {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Subject: 'AWS Snow Family job status change',
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'sandbox',
    SigningCertURL: 'https://sns.invalid/sandbox.pem',
    UnsubscribeURL: 'https://sns.invalid/unsubscribe',
  });
}

function sqsEvent(queueArn: string, region: string, body: string, receives: number) {
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: {
          ApproximateReceiveCount: String(receives),
          SentTimestamp: String(Date.now()),
          SenderId: 'sandbox',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      },
    ],
  };
}

/** What the topic hears of besides its queues: refusals and dead letters. */
export interface NotificationObservers {
  readonly trail: SandboxTrail;
  /** A vault's dead-letter queue grew to `count` messages. */
  readonly onDeadLetter?: (kind: OperatorKind, count: number) => void;
  /** Who may publish to the topic. Default: the stack's (Snowball for this account's jobs in this region). */
  readonly publishers?: readonly ServicePublisher[];
}

/**
 * The job-notification topic and its two queues, emulated in process. Snowball publishes a job's
 * notification as `importexport.amazonaws.com` for the job; the topic and its key judge that as
 * the deployed ones would (policies/service-publishers.ts), and a refused one is listed as undelivered.
 * A delivered message goes to each vault's notification function as the SQS event Lambda would
 * deliver; a reported batch failure is redelivered, and after MAX_RECEIVES it is dead-lettered.
 */
export class JobNotifications {
  readonly deadLetters: Record<OperatorKind, string[]> = { manifest: [], unlockCode: [] };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly topic: GuardedTopic;
  private closed = false;

  constructor(
    private readonly functions: Record<OperatorKind, RunningFunction>,
    private readonly where: { region: string; account: string },
    private readonly observers: NotificationObservers,
  ) {
    const topicArn = this.arn('sns', stackResourceName(SANDBOX_STACK, 'JobNotifications'));
    this.topic = new GuardedTopic(
      { topicArn, account: where.account },
      observers.publishers ?? jobNotificationPublishers({ partition: 'aws', ...where }),
    );
  }

  private arn(service: string, name: string) {
    return `arn:aws:${service}:${this.where.region}:${this.where.account}:${name}`;
  }

  /** Stops delivering: the functions are going away. */
  close(): void {
    this.closed = true;
  }

  /** Snowball publishes `message` about `jobId` to the topic; if the topic admits it, both queues receive it. */
  publish(message: string, jobId = 'sandbox-job'): void {
    if (this.closed) return;
    const sourceArn = this.arn('snowball', `job/${jobId}`);
    const refusal = this.topic.refusal('importexport.amazonaws.com', sourceArn, this.where.account);
    if (refusal) {
      this.observers.trail.undelivered.push({
        topicArn: this.topic.place.topicArn,
        service: 'importexport.amazonaws.com',
        sourceArn,
        reason: refusal,
        at: new Date().toISOString(),
      });
      return;
    }
    const body = snsEnvelope(this.topic.place.topicArn, message);
    for (const kind of ['manifest', 'unlockCode'] as const) {
      const delivery = this.deliver(kind, body).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  /** Resolves when every published message was handled or dead-lettered. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async deliver(kind: OperatorKind, body: string): Promise<void> {
    const queueArn = this.arn('sqs', `${kind}-job-notifications`);
    for (let receives = 1; receives <= MAX_RECEIVES && !this.closed; receives++) {
      const answer = await this.functions[kind]
        .invoke<{ batchItemFailures: unknown[] }>('notification', sqsEvent(queueArn, this.where.region, body, receives))
        .catch(() => ({ batchItemFailures: [{}] }));
      if (!answer?.batchItemFailures?.length) return;
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    }
    if (this.closed) return;
    this.deadLetters[kind].push(body);
    this.observers.onDeadLetter?.(kind, this.deadLetters[kind].length);
  }
}
