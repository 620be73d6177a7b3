import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetJobUnlockCodeCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { UNLOCK_CODE_PATTERN, unlockCodeSecretName } from '../../lib/contract';
import { errorName, rethrow } from '../shared/aws-errors';
import { internalError, malformedUnlockCode, nothingStored, scheduledForDeletion, upstreamUnavailable } from '../shared/errors';
import { callSnowball } from '../shared/snowball';
import type { SecretPolicyPrincipals } from './secret-policy';
import {
  createEmptySecret,
  currentValue,
  describeSecret,
  discardSecret,
  restoreSecret,
  writeValue,
  type SecretLocation,
} from './vault';

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

function locate(settings: UnlockCodeSettings, jobId: string): SecretLocation {
  return { ...settings, jobId, name: unlockCodeSecretName(settings.secretPrefix, jobId) };
}

async function fetchCode(snowball: SnowballClient, jobId: string): Promise<string> {
  const answer = await callSnowball(snowball, jobId, () =>
    snowball.send(new GetJobUnlockCodeCommand({ JobId: jobId })),
  );
  const code = answer.UnlockCode ?? '';
  if (!UNLOCK_CODE_PATTERN.test(code)) throw malformedUnlockCode();
  return code;
}

/** Finds or creates the job's secret, restoring it if it was scheduled for deletion. */
async function ensureSecret(secrets: SecretsManagerClient, at: SecretLocation) {
  let existing = await describeSecret(secrets, at.name);
  if (existing === undefined) {
    const arn = await createEmptySecret(secrets, at);
    if (arn !== undefined) return { arn, created: true, restored: false };
    // A concurrent broker created it first; it must be visible now, else give up rather than loop.
    existing = await describeSecret(secrets, at.name);
    if (existing === undefined) throw upstreamUnavailable();
  }
  if (existing.scheduledForDeletion) await restoreSecret(secrets, existing.arn, at.jobId);
  return { arn: existing.arn, created: false, restored: existing.scheduledForDeletion };
}

/** Fetches a job's unlock code from Snowball and stores it as a new version only if it changed. */
export async function brokerUnlockCode(
  clients: UnlockCodeClients,
  settings: UnlockCodeSettings,
  jobId: string,
  now: () => Date = () => new Date(),
): Promise<BrokeredUnlockCode> {
  const { snowball, secrets } = clients;
  const code = await fetchCode(snowball, jobId);
  const at = locate(settings, jobId);
  const secret = await ensureSecret(secrets, at);
  try {
    const current = await currentValue(secrets, secret.arn);
    const base = { jobId, secretArn: secret.arn, restored: secret.restored };
    if (current?.value === code) {
      return { ...base, versionId: current.versionId, fetchedAt: current.createdAt, unchanged: true };
    }
    const versionId = await writeValue(secrets, secret.arn, at, code, current?.versionId);
    return { ...base, versionId, fetchedAt: now().toISOString(), unchanged: false };
  } catch (err) {
    if (secret.created) await discardSecret(secrets, secret.arn);
    throw err;
  }
}

/** Reads a job's stored unlock code. */
export async function getUnlockCode(
  clients: Pick<UnlockCodeClients, 'secrets'>,
  settings: Pick<UnlockCodeSettings, 'secretPrefix'>,
  jobId: string,
): Promise<string> {
  const name = unlockCodeSecretName(settings.secretPrefix, jobId);
  let current;
  try {
    current = await currentValue(clients.secrets, name);
  } catch (err) {
    if (errorName(err) !== 'InvalidRequestException') throw err;
    const state = await describeSecret(clients.secrets, name);
    if (state?.scheduledForDeletion) throw scheduledForDeletion(jobId);
    rethrow(err);
  }
  if (current === undefined) throw nothingStored(jobId, 'unlock code');
  if (!UNLOCK_CODE_PATTERN.test(current.value)) throw internalError();
  return current.value;
}
