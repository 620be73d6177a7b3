/**
 * Where each vault keeps a job's credential: the manifest's object key and metadata, the unlock
 * code's secret name. Read by the constructs (policies scoped to them), the functions, the
 * sandbox's stand-ins and the detection rules.
 */

/** Where manifests live in the manifest bucket: one object (with versions) per job. */
export const MANIFEST_KEY_PREFIX = 'manifests/';

export function manifestObjectKey(jobId: string): string {
  return `${MANIFEST_KEY_PREFIX}${jobId}/manifest.bin`;
}

/** What a configured secret-name prefix must look like; the secret of a job is `prefix + jobId`. */
export const SECRET_PREFIX_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,200}\/$/;

export function unlockCodeSecretName(prefix: string, jobId: string): string {
  return `${prefix}${jobId}`;
}

/** Object metadata the manifest function writes beside each manifest. */
export const MANIFEST_METADATA = {
  jobId: 'job-id',
  fetchedAt: 'fetched-at',
  sha256: 'sha256',
} as const;
