import type { SnowballClient } from '@aws-sdk/client-snowball';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LIFECYCLE_STEP_BUDGET_MS } from '../../contract/deployment';
import { JOB_ID_IN_NOTIFICATION } from '../../contract/snowball';
import { errorName } from './aws-errors';
import { isBrokerError } from './errors';
import { log } from './log';
import { actOnJob, reconcilePass, type PassSummary, type VaultLifecycle } from './reconcile-pass';

/**
 * The job id a Snowball notification names, if any. The SQS body is the SNS envelope, whose
 * `Message` is Snowball's prose ("Your job NAME (JID…) …"); a raw-delivered body is the prose
 * itself. The id is the last one in parentheses: the job's name comes before it and may hold ids.
 */
export function jobIdOfNotification(body: string): string | undefined {
  let message = body;
  try {
    const envelope = JSON.parse(body) as { Message?: unknown };
    if (typeof envelope?.Message === 'string') message = envelope.Message;
  } catch {
    // Not an SNS envelope: read the body as the message.
  }
  return [...message.matchAll(JOB_ID_IN_NOTIFICATION)].pop()?.[1];
}

/** What is left of an invocation's time; without a Lambda context (a direct call), no limit. */
const remainingOf = (context?: Pick<Context, 'getRemainingTimeInMillis'>) => () =>
  context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;

/** The scheduled entry: one reconcile pass within the invocation's time; its summary is the invocation's result. */
export function reconcileEntry(snowball: SnowballClient, lifecycle: () => VaultLifecycle, maxJobs: () => number) {
  return (_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PassSummary> =>
    reconcilePass(snowball, lifecycle(), { maxJobs: maxJobs(), remainingMs: remainingOf(context) });
}

/**
 * The queue entry: each message is a hint naming a job. A message without a job id is logged
 * (never its content) and dropped; a failed step is reported as a batch item failure, so SQS
 * retries it and, after the queue's redrive limit, moves it to the dead-letter queue. A message
 * is not started without a step's time left: it goes back to the queue, reported as deferred.
 */
export function notificationEntry(snowball: SnowballClient, lifecycle: () => VaultLifecycle) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const vault = lifecycle();
    const remaining = remainingOf(context);
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const [i, record] of event.Records.entries()) {
      if (remaining() < LIFECYCLE_STEP_BUDGET_MS) {
        const deferred = event.Records.slice(i).map((r) => ({ itemIdentifier: r.messageId }));
        batchItemFailures.push(...deferred);
        log.warn({
          event: 'notifications-deferred',
          trigger: 'notification',
          vault: vault.vault,
          deferred: deferred.length,
          reason: 'time',
        });
        break;
      }
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
        log.warn({
          event: 'notification-failed',
          trigger: 'notification',
          jobId,
          code: isBrokerError(err) ? err.code : undefined,
          errorName: errorName(err),
        });
      }
    }
    return { batchItemFailures };
  };
}
