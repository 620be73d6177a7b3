import type { SnowballClient } from '@aws-sdk/client-snowball';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { JOB_ID_IN_TEXT } from '../../lib/contract';
import { errorName } from './aws-errors';
import { isBrokerError } from './errors';
import { log } from './log';
import { actOnJob, reconcilePass, type PassSummary, type VaultLifecycle } from './reconcile';

/**
 * The job id a Snowball notification names, if any. The SQS body is the SNS envelope, whose
 * `Message` is Snowball's prose ("Your job NAME (JID…) …"); a raw-delivered body is the prose itself.
 */
export function jobIdOfNotification(body: string): string | undefined {
  let message = body;
  try {
    const envelope = JSON.parse(body) as { Message?: unknown };
    if (typeof envelope?.Message === 'string') message = envelope.Message;
  } catch {
    // Not an SNS envelope: read the body as the message.
  }
  return JOB_ID_IN_TEXT.exec(message)?.[0];
}

/** The scheduled entry: one reconcile pass; its summary is the invocation's result. */
export function reconcileEntry(snowball: SnowballClient, lifecycle: () => VaultLifecycle, maxJobs: () => number) {
  return (): Promise<PassSummary> => reconcilePass(snowball, lifecycle(), { maxJobs: maxJobs() });
}

/**
 * The queue entry: each message is a hint naming a job. A message without a job id is logged
 * (never its content) and dropped; a failed step is reported as a batch item failure, so SQS
 * retries it and, after the queue's redrive limit, moves it to the dead-letter queue.
 */
export function notificationEntry(snowball: SnowballClient, lifecycle: () => VaultLifecycle) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const vault = lifecycle();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const jobId = jobIdOfNotification(record.body);
      if (!jobId) {
        log.warn({ event: 'notification-without-job-id', trigger: 'notification', outcome: 'dropped' });
        continue;
      }
      try {
        const outcome = await actOnJob(snowball, vault, jobId);
        log.info({ event: 'notification-handled', trigger: 'notification', vault: vault.vault, jobId, outcome });
      } catch (err) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        log.warn({ event: 'notification-failed', trigger: 'notification', jobId, code: isBrokerError(err) ? err.code : undefined, errorName: errorName(err) });
      }
    }
    return { batchItemFailures };
  };
}
