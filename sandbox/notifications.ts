import { randomUUID } from 'node:crypto';
import type { OperatorKind } from '../lib/contract';
import type { RunningFunction } from './function-runtime';
import type { DemoJob } from './jobs';

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
        attributes: { ApproximateReceiveCount: String(receives), SentTimestamp: String(Date.now()), SenderId: 'sandbox', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      },
    ],
  };
}

/**
 * The job-notification topic and its two queues, emulated in process: a published message goes
 * to each vault's notification function as the SQS event Lambda would deliver; a reported batch
 * failure is redelivered, and after MAX_RECEIVES it is dead-lettered.
 */
export class JobNotifications {
  readonly deadLetters: Record<OperatorKind, string[]> = { manifest: [], unlockCode: [] };
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly functions: Record<OperatorKind, RunningFunction>,
    private readonly where: { region: string; account: string },
  ) {}

  private arn(service: string, name: string) {
    return `arn:aws:${service}:${this.where.region}:${this.where.account}:${name}`;
  }

  /** Stops delivering: the functions are going away. */
  close(): void {
    this.closed = true;
  }

  /** Publishes `message` to the topic; both queues receive it. */
  publish(message: string): void {
    if (this.closed) return;
    const body = snsEnvelope(this.arn('sns', 'SnowballCredentialBroker-JobNotifications'), message);
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
    if (!this.closed) this.deadLetters[kind].push(body);
  }
}
