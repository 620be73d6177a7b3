import type { SnowballClient } from '@aws-sdk/client-snowball';
import { type FleetEntry } from '../../contract/api';
import { credentialsExpireAt } from '../../contract/snowball';
import { listJobs, type Holding } from './job-steps';

interface Detail {
  readonly holding: Holding;
  readonly versionId?: string;
  readonly fetchedAt?: string;
}

/**
 * Every job Snowball lists (all pages), each with what this vault holds for it. `extra` adds a
 * vault's own fields (the manifest's SHA-256 and size).
 */
export async function fleetStatus<D extends Detail>(
  snowball: SnowballClient,
  details: (jobIds: string[]) => Promise<Map<string, D>>,
  extra: (detail: D | undefined) => Record<string, unknown> = () => ({}),
): Promise<{ jobs: FleetEntry[] }> {
  const jobs = await listJobs(snowball);
  const held = await details(jobs.map((j) => j.jobId));
  return {
    jobs: jobs.map((job) => {
      const d = held.get(job.jobId);
      return {
        jobId: job.jobId,
        state: job.state,
        createdAt: job.createdAt.toISOString(),
        credentialsExpireAt: credentialsExpireAt(job.createdAt).toISOString(),
        stored: d?.holding === 'live',
        retired: d?.holding === 'retired',
        versionId: d?.versionId ?? null,
        fetchedAt: d?.fetchedAt ?? null,
        ...extra(d),
      };
    }),
  };
}
