import { DescribeJobCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { UNLOCKABLE_STATE } from '../../lib/contract';
import { retryableAwsError, errorName } from './aws-errors';
import { jobNotFound, jobNotWithCustomer } from './errors';

async function currentState(snowball: SnowballClient, jobId: string): Promise<string> {
  try {
    const described = await snowball.send(new DescribeJobCommand({ JobId: jobId }));
    return described.JobMetadata?.JobState ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Turns a failed GetJobManifest / GetJobUnlockCode into the broker's answer: no such job (404),
 * not WithCustomer (409, naming the state from DescribeJob), throttled (429) or unavailable (503).
 * Returns the error unchanged when it is none of these.
 */
async function snowballFailure(
  err: unknown,
  snowball: SnowballClient,
  jobId: string,
): Promise<unknown> {
  const name = errorName(err);
  if (name === 'InvalidResourceException') return jobNotFound(jobId);
  if (name === 'InvalidJobStateException') {
    const state = await currentState(snowball, jobId);
    // The job may have moved on between the two calls; never claim it is unlockable.
    return jobNotWithCustomer(jobId, state === UNLOCKABLE_STATE ? 'unknown' : state);
  }
  return retryableAwsError(err) ?? err;
}

/** Runs a Snowball call, translating its failures with `snowballFailure`. */
export async function callSnowball<T>(
  snowball: SnowballClient,
  jobId: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw await snowballFailure(err, snowball, jobId);
  }
}
