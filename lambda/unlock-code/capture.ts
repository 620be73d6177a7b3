import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetJobUnlockCodeCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { UNLOCK_CODE_PATTERN } from '../../contract/api';
import { unlockCodeSecretName } from '../../contract/vault-layout';
import { foreignSecret, malformedUnlockCode, retiredDuringCapture, upstreamUnavailable } from '../shared/errors';
import { log } from '../shared/log';
import { assertCapturable, callSnowball } from '../shared/snowball';
import type { SecretPolicyPrincipals } from './secret-policy';
import {
  createEmptySecret,
  describeSecret,
  discardSecret,
  ensurePolicy,
  foreignReason,
  restoreSecret,
  storeValue,
  type SecretLocation,
  type SecretState,
} from './secrets-manager';

export interface UnlockCodeClients {
  readonly snowball: SnowballClient;
  readonly secrets: SecretsManagerClient;
}

export interface UnlockCodeSettings extends SecretPolicyPrincipals {
  readonly secretPrefix: string;
  readonly kmsKeyArn: string;
}

/** The write-path answer of `POST /jobs/{jobId}/unlock-code`; never the code itself. */
export interface BrokeredUnlockCode {
  readonly jobId: string;
  readonly secretArn: string;
  readonly versionId: string;
  readonly fetchedAt: string;
  readonly unchanged: boolean;
  /** True when the secret was scheduled for deletion and this call restored it. */
  readonly restored: boolean;
}

export function locate(settings: UnlockCodeSettings, jobId: string): SecretLocation {
  return { ...settings, jobId, name: unlockCodeSecretName(settings.secretPrefix, jobId) };
}

async function fetchCode(snowball: SnowballClient, jobId: string): Promise<string> {
  const answer = await callSnowball(snowball, jobId, () => snowball.send(new GetJobUnlockCodeCommand({ JobId: jobId })));
  const code = answer.UnlockCode ?? '';
  if (!UNLOCK_CODE_PATTERN.test(code)) throw malformedUnlockCode();
  return code;
}

/** Refuses a secret the broker did not create: it is never adopted, and the refusal is logged for the alert. */
function assertOurs(state: SecretState, at: SecretLocation): void {
  const reason = foreignReason(state, at);
  if (reason === undefined) return;
  log.error({ event: 'alert:foreign-unlock-code-secret', jobId: at.jobId, reason });
  throw foreignSecret(at.jobId);
}

/**
 * Finds or creates the job's secret. It is restored only if it was already retired when this
 * capture started (`before`): one retired while the capture ran stays retired.
 */
async function ensureSecret(secrets: SecretsManagerClient, at: SecretLocation, before: SecretState | undefined) {
  let existing = await describeSecret(secrets, at.name);
  if (existing === undefined) {
    if (before !== undefined) throw retiredDuringCapture(at.jobId);
    const arn = await createEmptySecret(secrets, at);
    if (arn !== undefined) return { arn, created: true, restored: false };
    // A concurrent broker created it first; it must be visible now, else give up rather than loop.
    existing = await describeSecret(secrets, at.name);
    if (existing === undefined) throw upstreamUnavailable();
  }
  assertOurs(existing, at);
  if (existing.scheduledForDeletion) {
    if (!before?.scheduledForDeletion) throw retiredDuringCapture(at.jobId);
    await restoreSecret(secrets, existing.arn, at.jobId);
  }
  return { arn: existing.arn, created: false, restored: existing.scheduledForDeletion };
}

/**
 * Fetches a job's unlock code from Snowball and stores it as a new version only if it changed.
 * It never reads a stored value: versions are compared by their code-derived ids.
 */
export async function brokerUnlockCode(
  clients: UnlockCodeClients,
  settings: UnlockCodeSettings,
  jobId: string,
  now: () => Date = () => new Date(),
): Promise<BrokeredUnlockCode> {
  const { snowball, secrets } = clients;
  const at = locate(settings, jobId);
  const before = await describeSecret(secrets, at.name);
  if (before !== undefined) assertOurs(before, at);
  await assertCapturable(snowball, jobId, now());
  const code = await fetchCode(snowball, jobId);
  const secret = await ensureSecret(secrets, at, before);
  try {
    // No value is ever written under a policy the broker did not write: an altered or removed one is put back first, and reported.
    const policy = await ensurePolicy(secrets, secret.arn, at);
    if (policy !== 'kept' && !secret.created) log.warn({ event: 'alert:unlock-code-secret-policy-reapplied', jobId, outcome: policy });
    const stored = await storeValue(secrets, secret.arn, at, code);
    const fetchedAt = stored.unchanged ? (stored.createdAt ?? now().toISOString()) : now().toISOString();
    return { jobId, secretArn: secret.arn, restored: secret.restored, versionId: stored.versionId, fetchedAt, unchanged: stored.unchanged };
  } catch (err) {
    if (secret.created) await discardSecret(secrets, secret.arn);
    throw err;
  }
}
