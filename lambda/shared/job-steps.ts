import { ListJobsCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { credentialsExpireAt, FINISHED_STATES, UNLOCKABLE_STATE } from '../../contract/snowball';
import { rethrow } from './aws-errors';

/** One job as Snowball lists it. */
export interface FleetJob {
  readonly jobId: string;
  readonly state: string;
  readonly createdAt: Date;
}

/** What a vault holds for a job: a live copy, a retired one (recoverable), or nothing. */
export type Holding = 'live' | 'retired' | 'none';

/** Why a job's half leaves the vault. */
export type RetireReason = 'Complete' | 'Cancelled' | 'Expired';

/** What a lifecycle step does to one job, given what Snowball says and what the vault holds. */
export type Step = { do: 'capture' } | { do: 'retire'; reason: RetireReason } | { do: 'nothing' };

/**
 * Every job Snowball lists, following every page, but export main jobs (`IsMaster`): they have no
 * device and no credentials; their job parts are listed as jobs of their own.
 */
export async function listJobs(snowball: SnowballClient): Promise<FleetJob[]> {
  const jobs: FleetJob[] = [];
  let token: string | undefined;
  do {
    const page = await snowball.send(new ListJobsCommand({ MaxResults: 100, NextToken: token })).catch(rethrow);
    for (const entry of page.JobListEntries ?? []) {
      if (!entry.JobId || !entry.JobState || !entry.CreationDate || entry.IsMaster) continue;
      jobs.push({ jobId: entry.JobId, state: entry.JobState, createdAt: new Date(entry.CreationDate) });
    }
    token = page.NextToken || undefined;
  } while (token);
  return jobs;
}

/** Why a job's credentials are over, if they are: finished, or past the 360-day window. */
export function retireReason(job: Pick<FleetJob, 'state' | 'createdAt'>, now: Date): RetireReason | undefined {
  if ((FINISHED_STATES as readonly string[]).includes(job.state)) return job.state as RetireReason;
  if (now.getTime() >= credentialsExpireAt(job.createdAt).getTime()) return 'Expired';
  return undefined;
}

/**
 * The lifecycle decision for one job: capture a WithCustomer job whose credentials are current
 * and whose vault holds nothing live; retire a live copy once the job is finished or expired.
 */
export function stepFor(job: Pick<FleetJob, 'state' | 'createdAt'>, holding: Holding, now: Date): Step {
  const reason = retireReason(job, now);
  if (reason) return holding === 'live' ? { do: 'retire', reason } : { do: 'nothing' };
  if (job.state === UNLOCKABLE_STATE && holding !== 'live') return { do: 'capture' };
  return { do: 'nothing' };
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
