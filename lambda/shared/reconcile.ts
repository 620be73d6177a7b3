import { DescribeJobCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import type { OperatorKind } from '../../lib/contract';
import { errorName, rethrow } from './aws-errors';
import { isBrokerError } from './errors';
import { listJobs, stepFor, type FleetJob, type Holding, type RetireReason, type Step } from './fleet';
import { log } from './log';
import { recordPass } from './metrics';

/** One vault's half of the lifecycle: what it holds, and how to capture or retire a job's credential. */
export interface VaultLifecycle {
  readonly vault: OperatorKind;
  /** What the vault holds for each job (a missing entry means nothing). */
  holdings(jobIds: readonly string[]): Promise<Map<string, Holding>>;
  /** Brokers the job's half exactly as the POST route does (same code, same idempotency). */
  capture(jobId: string): Promise<void>;
  retire(jobId: string, reason: RetireReason): Promise<void>;
}

export interface PassSummary {
  readonly seen: number;
  readonly captured: number;
  readonly retired: number;
  readonly failed: number;
  /** Jobs that needed nothing, or moved on before their step ran. */
  readonly skipped: number;
  /** Jobs left for the next pass: over the per-pass limit, or not reached after throttling. */
  readonly deferred: number;
}

export interface PassOptions {
  readonly maxJobs: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wait after a throttled step before the one retry of it. Default: 2000 ms. */
  readonly throttleBackoffMs?: number;
}

/** Failures that mean the job moved on between the listing and the step: nothing to do now. */
const MOVED_ON = new Set(['JobNotWithCustomer', 'JobNotFound']);

const isThrottled = (err: unknown) => isBrokerError(err) && err.code === 'Throttled';

async function runStep(lifecycle: VaultLifecycle, job: FleetJob, step: Step): Promise<'captured' | 'retired' | 'skipped'> {
  if (step.do === 'capture') {
    await lifecycle.capture(job.jobId);
    return 'captured';
  }
  if (step.do === 'retire') {
    await lifecycle.retire(job.jobId, step.reason);
    return 'retired';
  }
  return 'skipped';
}

/** Runs a step, treating a job that moved on as skipped. Throws anything else. */
async function attempt(lifecycle: VaultLifecycle, job: FleetJob, step: Step) {
  try {
    return await runStep(lifecycle, job, step);
  } catch (err) {
    if (isBrokerError(err) && MOVED_ON.has(err.code)) return 'skipped';
    throw err;
  }
}

/**
 * One reconcile pass over the fleet: list every job, compare with the vault, and act on at most
 * `maxJobs` of those that need it (oldest first; the rest wait for the next pass). Each job's
 * failure is isolated; throttling backs off once, then ends the pass. One summary line, and metrics.
 */
export async function reconcilePass(snowball: SnowballClient, lifecycle: VaultLifecycle, options: PassOptions): Promise<PassSummary> {
  const now = (options.now ?? (() => new Date()))();
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const jobs = await listJobs(snowball);
  const holdings = await lifecycle.holdings(jobs.map((j) => j.jobId));
  const due = jobs
    .map((job) => ({ job, step: stepFor(job, holdings.get(job.jobId) ?? 'none', now) }))
    .filter(({ step }) => step.do !== 'nothing')
    .sort((a, b) => a.job.createdAt.getTime() - b.job.createdAt.getTime());
  const counts = { captured: 0, retired: 0, failed: 0, skipped: jobs.length - due.length, deferred: Math.max(0, due.length - options.maxJobs) };
  const todo = due.slice(0, options.maxJobs);
  for (let i = 0; i < todo.length; i++) {
    const { job, step } = todo[i];
    try {
      counts[await attempt(lifecycle, job, step).catch(async (err) => {
        if (!isThrottled(err)) throw err;
        await sleep(options.throttleBackoffMs ?? 2000);
        return attempt(lifecycle, job, step);
      })]++;
    } catch (err) {
      if (isThrottled(err)) {
        counts.deferred += todo.length - i;
        break;
      }
      counts.failed++;
      log.warn({ event: 'reconcile-job-failed', vault: lifecycle.vault, jobId: job.jobId, code: isBrokerError(err) ? err.code : undefined, errorName: errorName(err) });
    }
  }
  const summary = { seen: jobs.length, ...counts };
  log.info({ event: 'reconcile-pass', vault: lifecycle.vault, ...summary });
  recordPass(lifecycle.vault, counts);
  return summary;
}

/** What a notification hint led to, for its log line. */
export type HintOutcome = 'captured' | 'retired' | 'skipped' | 'unknown-job';

/**
 * Acts on one job named by a Snowball notification. The message is only a hint: the job's state
 * comes from DescribeJob, and the same decision as the pass applies. Throws what should be retried.
 */
export async function actOnJob(snowball: SnowballClient, lifecycle: VaultLifecycle, jobId: string, now = new Date()): Promise<HintOutcome> {
  let described;
  try {
    described = await snowball.send(new DescribeJobCommand({ JobId: jobId }));
  } catch (err) {
    if (errorName(err) === 'InvalidResourceException') return 'unknown-job';
    rethrow(err);
  }
  const meta = described.JobMetadata;
  if (!meta?.JobState || !meta.CreationDate) return 'skipped';
  const job: FleetJob = { jobId, state: meta.JobState, createdAt: new Date(meta.CreationDate) };
  const holding = (await lifecycle.holdings([jobId])).get(jobId) ?? 'none';
  return attempt(lifecycle, job, stepFor(job, holding, now));
}
