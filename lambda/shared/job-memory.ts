import type { JobMetadata } from '@aws-sdk/client-snowball';

/** First wait of a job whose step failed; doubled per further failure, up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 15 * 60_000;
const MAX_BACKOFF_MS = 24 * 3_600_000;

/** The region an ARN names (`arn:partition:service:REGION:…`), if it names one. */
export function regionOfArn(arn: string | undefined): string | undefined {
  return arn?.split(':')[3] || undefined;
}

/**
 * The region a job belongs to, from what DescribeJob says of it: its KMS key (a job's key lives in
 * the job's region), else its notification topic. `ListJobs` in a US region lists the jobs of every
 * US region, and nothing in the listing says which.
 */
export function regionOfJob(meta: Pick<JobMetadata, 'KmsKeyARN' | 'Notification'> | undefined): string | undefined {
  return regionOfArn(meta?.KmsKeyARN) ?? regionOfArn(meta?.Notification?.SnsTopicARN);
}

/**
 * What a vault's lifecycle remembers across passes while its execution environment lives: jobs
 * that answered as another region's (never looked at again), and jobs whose step failed (skipped
 * until their backoff is over, so they cannot starve the healthy ones).
 */
export class JobMemory {
  private readonly foreign = new Set<string>();
  private readonly mine = new Set<string>();
  private readonly failures = new Map<string, { count: number; retryAt: number }>();

  isForeign(jobId: string): boolean {
    return this.foreign.has(jobId);
  }

  isKnownMine(jobId: string): boolean {
    return this.mine.has(jobId);
  }

  rememberForeign(jobId: string): void {
    this.foreign.add(jobId);
  }

  rememberMine(jobId: string): void {
    this.mine.add(jobId);
  }

  /** True while a failed job waits out its backoff. */
  isBackingOff(jobId: string, now: Date): boolean {
    const failure = this.failures.get(jobId);
    return failure !== undefined && now.getTime() < failure.retryAt;
  }

  /** Whether the job failed before (its turn comes after the healthy ones). */
  hasFailed(jobId: string): boolean {
    return this.failures.has(jobId);
  }

  recordFailure(jobId: string, now: Date): void {
    const count = (this.failures.get(jobId)?.count ?? 0) + 1;
    const wait = Math.min(FIRST_BACKOFF_MS * 2 ** (count - 1), MAX_BACKOFF_MS);
    this.failures.set(jobId, { count, retryAt: now.getTime() + wait });
  }

  recordSuccess(jobId: string): void {
    this.failures.delete(jobId);
  }
}
