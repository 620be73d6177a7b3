import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import { errorName, rethrow } from '../shared/aws-errors';
import { log } from '../shared/log';
import { isBrokerPolicy, unlockCodeSecretPolicy, type SecretPolicyPrincipals } from './secret-policy';

export interface SecretLocation extends SecretPolicyPrincipals {
  readonly name: string;
  readonly jobId: string;
  readonly kmsKeyArn: string;
}

export interface SecretState {
  readonly arn: string;
  readonly scheduledForDeletion: boolean;
  /** The AWSCURRENT version, if the secret holds a value. */
  readonly currentVersionId?: string;
  /** When the secret last changed (a new value, a restore, a policy). */
  readonly lastChangedAt?: string;
  /** The key the secret is encrypted with, as Secrets Manager reports it (absent: the AWS managed key). */
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
}

/** The tags the broker puts on every secret it creates. */
export const BROKER_TAGS = { jobId: 'snowball-job-id', managedBy: 'managed-by' } as const;
export const BROKER_TAG_VALUE = 'snowball-credential-broker';

export async function describeSecret(secrets: SecretsManagerClient, name: string): Promise<SecretState | undefined> {
  try {
    const d = await secrets.send(new DescribeSecretCommand({ SecretId: name }));
    const current = Object.entries(d.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    return {
      arn: d.ARN!,
      scheduledForDeletion: d.DeletedDate !== undefined,
      currentVersionId: current,
      lastChangedAt: d.LastChangedDate?.toISOString(),
      kmsKeyId: d.KmsKeyId,
      tags: Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    rethrow(err);
  }
}

/**
 * Why a secret under the vault's name is not one the broker created, or undefined when it is:
 * encrypted with another key (nobody but the function can set the vault key: the key policy
 * refuses Secrets Manager's key-access check to everyone else), or without the broker's tags.
 */
export function foreignReason(state: SecretState, at: SecretLocation): string | undefined {
  // Only the full ARN, which the function always passes: a secret naming the key by bare id or
  // alias was created by someone else (and, where the key check was not applied, not under it).
  if (state.kmsKeyId !== at.kmsKeyArn) return 'wrong-kms-key';
  if (state.tags[BROKER_TAGS.managedBy] !== BROKER_TAG_VALUE || state.tags[BROKER_TAGS.jobId] !== at.jobId) return 'missing-broker-tag';
  return undefined;
}

/**
 * Creates the job's secret empty (no value yet), so the value is only ever written under the
 * resource policy. Returns undefined when a concurrent broker created it first.
 */
export async function createEmptySecret(secrets: SecretsManagerClient, at: SecretLocation): Promise<string | undefined> {
  try {
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: at.name,
        KmsKeyId: at.kmsKeyArn,
        Description: `Unlock code of AWS Snowball job ${at.jobId}, kept by snowball-credential-broker.`,
        Tags: [
          { Key: BROKER_TAGS.jobId, Value: at.jobId },
          { Key: BROKER_TAGS.managedBy, Value: BROKER_TAG_VALUE },
        ],
      }),
    );
    return created.ARN!;
  } catch (err) {
    if (errorName(err) === 'ResourceExistsException') return undefined;
    rethrow(err);
  }
}

export async function restoreSecret(secrets: SecretsManagerClient, arn: string, jobId: string): Promise<void> {
  try {
    await secrets.send(new RestoreSecretCommand({ SecretId: arn }));
    log.warn({ event: 'unlock-code-secret-restored', jobId });
  } catch (err) {
    rethrow(err);
  }
}

/**
 * The version token of one job's code: a UUID-shaped SHA-256 of the job id and the code itself.
 * The same code always maps to the same version (a repeat is a no-op), a changed code to a new
 * one, and nobody who does not hold the code can compute it in advance to plant a version.
 */
export function versionToken(jobId: string, code: string): string {
  const h = createHash('sha256').update(`snowball-credential-broker\n${jobId}\n${code}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface VersionInfo {
  readonly stages: string[];
  readonly createdAt?: string;
}

/** Every version of a secret (deprecated ones included) by id: ids and stages only, never a value. */
async function listVersions(secrets: SecretsManagerClient, arn: string): Promise<Map<string, VersionInfo>> {
  const versions = new Map<string, VersionInfo>();
  let NextToken: string | undefined;
  do {
    const page = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true, NextToken })).catch(rethrow);
    for (const v of page.Versions ?? [])
      versions.set(v.VersionId!, { stages: v.VersionStages ?? [], createdAt: v.CreatedDate?.toISOString() });
    NextToken = page.NextToken;
  } while (NextToken);
  return versions;
}

const currentOf = (versions: Map<string, VersionInfo>) => [...versions].find(([, v]) => v.stages.includes('AWSCURRENT'))?.[0];

/** Puts the broker's resource policy on the secret unless it is already exactly that. Returns whether it had to. */
export async function ensurePolicy(
  secrets: SecretsManagerClient,
  arn: string,
  at: SecretLocation,
): Promise<'kept' | 'missing' | 'altered'> {
  const got = await secrets.send(new GetResourcePolicyCommand({ SecretId: arn })).catch(rethrow);
  if (isBrokerPolicy(got.ResourcePolicy, at)) return 'kept';
  await putPolicy(secrets, arn, at);
  return got.ResourcePolicy === undefined ? 'missing' : 'altered';
}

async function putPolicy(secrets: SecretsManagerClient, arn: string, at: SecretLocation): Promise<void> {
  await secrets
    .send(
      new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: JSON.stringify(unlockCodeSecretPolicy(at)), BlockPublicPolicy: true }),
    )
    .catch(rethrow);
}

export interface StoredValue {
  readonly versionId: string;
  readonly unchanged: boolean;
  /** When the version was created, for an unchanged one. */
  readonly createdAt?: string;
}

/**
 * Stores `code` as the AWSCURRENT version without ever reading a value back: versions are
 * compared by id (the token derived from the code). Already current: nothing. Stored before (an
 * earlier code came back): that version becomes current again. New: a new version (the caller
 * has made sure the broker's resource policy is on the secret).
 * Secrets Manager compares values itself only when a token is repeated, which needs a Decrypt the
 * function does not have; a concurrent writer of the same code is recognised by listing again.
 */
export async function storeValue(
  secrets: SecretsManagerClient,
  arn: string,
  at: Pick<SecretLocation, 'jobId'>,
  code: string,
): Promise<StoredValue> {
  const token = versionToken(at.jobId, code);
  const versions = await listVersions(secrets, arn);
  const current = currentOf(versions);
  if (current === token) return { versionId: token, unchanged: true, createdAt: versions.get(token)?.createdAt };
  if (versions.has(token)) {
    await secrets
      .send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: current,
        }),
      )
      .catch(rethrow);
    return { versionId: token, unchanged: false };
  }
  try {
    const put = await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: code, ClientRequestToken: token }));
    return { versionId: put.VersionId ?? token, unchanged: false };
  } catch (err) {
    const again = await listVersions(secrets, arn);
    if (currentOf(again) === token) return { versionId: token, unchanged: true, createdAt: again.get(token)?.createdAt };
    rethrow(err);
  }
}

/** Removes a secret this request created and could not fill, so nothing half-written stays. */
export async function discardSecret(secrets: SecretsManagerClient, arn: string): Promise<void> {
  await secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
}

/** Schedules the job's secret for deletion with a recovery window: retired, restorable until then. */
export async function scheduleDeletion(secrets: SecretsManagerClient, arn: string, recoveryDays: number): Promise<void> {
  try {
    await secrets.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: recoveryDays }));
  } catch (err) {
    rethrow(err);
  }
}
