import { DescribeJobCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { LIFECYCLE_STEP_BUDGET_MS } from '../../contract/deployment';
import { type OperatorKind } from '../../contract/vaults';
import { errorName, rethrow } from './aws-errors';
import { isBrokerError } from './errors';
import { listJobs, stepFor, type FleetJob, type Holding, type RetireReason, type Step } from './job-steps';
import { JobMemory, regionOfJob } from './job-memory';
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
  /** Jobs left for the next pass: over the per-pass limit, not reached in time, or after throttling. */
  readonly deferred: number;
  /** Jobs of another region that `ListJobs` lists here (US regions list each other's jobs): never acted on. */
  readonly foreign: number;
  /** Jobs whose step failed before, waiting out their backoff. */
  readonly backingOff: number;
  /** Why the pass stopped before the end of its list, if it did. */
  readonly stoppedBy?: 'limit' | 'time' | 'throttling';
  /** The jobs it deferred, for its log line. */
  readonly deferredJobIds: readonly string[];
}

export interface PassOptions {
  readonly maxJobs: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Wait after a throttled step before the one retry of it. Default: 2000 ms. */
  readonly throttleBackoffMs?: number;
  /** What is left of the invocation's time (Lambda's `getRemainingTimeInMillis`). Default: no limit. */
  readonly remainingMs?: () => number;
  /** The time a step may take; none starts with less left. Default: LIFECYCLE_STEP_BUDGET_MS. */
  readonly stepBudgetMs?: number;
  /** What earlier passes learnt (foreign jobs, failures). Default: this environment's. */
  readonly memory?: JobMemory;
}

/** Failures that mean the job moved on between the listing and the step: nothing to do now. */
const MOVED_ON = new Set(['JobNotWithCustomer', 'JobNotFound']);

const isThrottled = (err: unknown) => isBrokerError(err) && err.code === 'Throttled';

/** This execution environment's memory of each vault's jobs, kept across warm invocations. */
const ENVIRONMENT_MEMORY = new JobMemory();

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
 * Whether a job is this region's: Snowball does not know it here (InvalidResourceException), or
 * its key or topic is another region's, makes it foreign. Throws what should be retried.
 */
async function belongsHere(snowball: SnowballClient, jobId: string, region: string): Promise<boolean> {
  try {
    const described = await snowball.send(new DescribeJobCommand({ JobId: jobId }));
    const jobRegion = regionOfJob(described?.JobMetadata);
    return jobRegion === undefined || jobRegion === region;
  } catch (err) {
    if (errorName(err) === 'InvalidResourceException') return false;
    return rethrow(err);
  }
}

interface Due {
  readonly job: FleetJob;
  readonly step: Step;
}

/** The jobs that need a step, healthy ones first, oldest first; foreign and backing-off ones left out. */
function dueJobs(jobs: FleetJob[], holdings: Map<string, Holding>, memory: JobMemory, now: Date) {
  const counts = { skipped: 0, foreign: 0, backingOff: 0 };
  const due: Due[] = [];
  for (const job of jobs) {
    const step = stepFor(job, holdings.get(job.jobId) ?? 'none', now);
    if (step.do === 'nothing') counts.skipped++;
    else if (memory.isForeign(job.jobId)) counts.foreign++;
    else if (memory.isBackingOff(job.jobId, now)) counts.backingOff++;
    else due.push({ job, step });
  }
  const failedBefore = (d: Due) => (memory.hasFailed(d.job.jobId) ? 1 : 0);
  due.sort((a, b) => failedBefore(a) - failedBefore(b) || a.job.createdAt.getTime() - b.job.createdAt.getTime());
  return { due, counts };
}

/**
 * One reconcile pass over the fleet: list every job, compare with the vault, and act on at most
 * `maxJobs` of those that need it (healthy ones first, oldest first; the rest wait for the next
 * pass). A job of another region is recognised before its first capture and never costs a slot
 * again; a failing job costs no slot and then waits out a growing backoff, so it cannot starve the
 * others. No step starts without the time it may take; throttling backs off once, then ends the
 * pass. One summary line naming what was deferred, and metrics.
 */
export async function reconcilePass(snowball: SnowballClient, lifecycle: VaultLifecycle, options: PassOptions): Promise<PassSummary> {
  const now = (options.now ?? (() => new Date()))();
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const memory = options.memory ?? ENVIRONMENT_MEMORY;
  const remaining = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const region = await snowball.config.region();
  const jobs = await listJobs(snowball);
  const { due, counts: found } = dueJobs(jobs, await lifecycle.holdings(jobs.map((j) => j.jobId)), memory, now);
  const counts = { captured: 0, retired: 0, failed: 0, ...found };
  let stoppedBy: PassSummary['stoppedBy'];
  let i = 0;
  for (; i < due.length; i++) {
    if (counts.captured + counts.retired >= options.maxJobs) stoppedBy = 'limit';
    else if (remaining() < (options.stepBudgetMs ?? LIFECYCLE_STEP_BUDGET_MS)) stoppedBy = 'time';
    if (stoppedBy) break;
    const { job, step } = due[i];
    const withRetry = async () => {
      try {
        return await act(snowball, lifecycle, memory, region, job, step);
      } catch (err) {
        if (!isThrottled(err)) throw err;
        await sleep(options.throttleBackoffMs ?? 2000);
        return act(snowball, lifecycle, memory, region, job, step);
      }
    };
    try {
      counts[await withRetry()]++;
      memory.recordSuccess(job.jobId);
    } catch (err) {
      if (isThrottled(err)) {
        stoppedBy = 'throttling';
        break;
      }
      counts.failed++;
      memory.recordFailure(job.jobId, now);
      log.warn({
        event: 'reconcile-job-failed',
        vault: lifecycle.vault,
        jobId: job.jobId,
        code: isBrokerError(err) ? err.code : undefined,
        errorName: errorName(err),
      });
    }
  }
  const deferredJobIds = due.slice(i).map((d) => d.job.jobId);
  const summary: PassSummary = {
    seen: jobs.length,
    ...counts,
    deferred: deferredJobIds.length,
    ...(stoppedBy ? { stoppedBy } : {}),
    deferredJobIds,
  };
  log.info({ event: 'reconcile-pass', vault: lifecycle.vault, ...summary });
  recordPass(lifecycle.vault, summary);
  return summary;
}

/** A due job's step, after making sure a job about to be captured the first time is this region's. */
async function act(snowball: SnowballClient, lifecycle: VaultLifecycle, memory: JobMemory, region: string, job: FleetJob, step: Step) {
  if (step.do === 'capture' && !memory.isKnownMine(job.jobId)) {
    if (!(await belongsHere(snowball, job.jobId, region))) {
      memory.rememberForeign(job.jobId);
      return 'foreign' as const;
    }
    memory.rememberMine(job.jobId);
  }
  return attempt(lifecycle, job, step);
}

/** What a notification hint led to, for its log line. */
export type HintOutcome = 'captured' | 'retired' | 'skipped' | 'unknown-job' | 'foreign-job';

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
  const jobRegion = regionOfJob(meta);
  if (jobRegion !== undefined && jobRegion !== (await snowball.config.region())) return 'foreign-job';
  if (!meta?.JobState || !meta.CreationDate) return 'skipped';
  const job: FleetJob = { jobId, state: meta.JobState, createdAt: new Date(meta.CreationDate) };
  const holding = (await lifecycle.holdings([jobId])).get(jobId) ?? 'none';
  return attempt(lifecycle, job, stepFor(job, holding, now));
}
