import { DescribeJobCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { credentialsExpireAt, UNLOCKABLE_STATE } from '../../contract/snowball';
import { retryableAwsError, errorName } from './aws-errors';
import { credentialsExpired, jobNotFound, jobNotWithCustomer } from './errors';

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
async function snowballFailure(err: unknown, snowball: SnowballClient, jobId: string): Promise<unknown> {
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
export async function callSnowball<T>(snowball: SnowballClient, jobId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw await snowballFailure(err, snowball, jobId);
  }
}

/**
 * Refuses, before anything is fetched or stored, a job whose credentials must not be kept: one
 * not WithCustomer (Complete, Cancelled, or not yet delivered: 409 naming the state) or past its
 * 360 days (409 CredentialsExpired), so a POST can never bring back what retirement took away.
 */
export async function assertCapturable(snowball: SnowballClient, jobId: string, now: Date): Promise<void> {
  const described = await callSnowball(snowball, jobId, () => snowball.send(new DescribeJobCommand({ JobId: jobId })));
  const meta = described.JobMetadata;
  const state = meta?.JobState ?? 'unknown';
  if (state !== UNLOCKABLE_STATE) throw jobNotWithCustomer(jobId, state);
  if (!meta?.CreationDate) throw jobNotWithCustomer(jobId, 'unknown');
  const expires = credentialsExpireAt(new Date(meta.CreationDate));
  if (expires.getTime() <= now.getTime()) throw credentialsExpired(jobId, expires.toISOString().slice(0, 10));
}
