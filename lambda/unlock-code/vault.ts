import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import { errorName, rethrow } from '../shared/aws-errors';
import { log } from '../shared/log';
import { unlockCodeSecretPolicy, type SecretPolicyPrincipals } from './secret-policy';

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
}

export interface CurrentValue {
  readonly value: string;
  readonly versionId: string;
  readonly createdAt: string;
}

export async function describeSecret(secrets: SecretsManagerClient, name: string): Promise<SecretState | undefined> {
  try {
    const d = await secrets.send(new DescribeSecretCommand({ SecretId: name }));
    const current = Object.entries(d.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    return { arn: d.ARN!, scheduledForDeletion: d.DeletedDate !== undefined, currentVersionId: current, lastChangedAt: d.LastChangedDate?.toISOString() };
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    rethrow(err);
  }
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
          { Key: 'snowball-job-id', Value: at.jobId },
          { Key: 'managed-by', Value: 'snowball-credential-broker' },
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

/** The AWSCURRENT value, or undefined for a secret that holds no value yet. */
export async function currentValue(secrets: SecretsManagerClient, secretId: string): Promise<CurrentValue | undefined> {
  try {
    const got = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    return {
      value: got.SecretString ?? '',
      versionId: got.VersionId!,
      createdAt: (got.CreatedDate ?? new Date()).toISOString(),
    };
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    rethrow(err);
  }
}

/**
 * Secrets Manager treats a repeated ClientRequestToken with the same value as one version. The
 * token is derived from the job and the version it replaces (never from the code), so concurrent
 * brokers that saw the same current version create exactly one new one.
 */
export function versionToken(jobId: string, replacing: string | undefined): string {
  const h = createHash('sha256').update(`${jobId}\n${replacing ?? 'first'}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Puts the resource policy, then the value as a new AWSCURRENT version. */
export async function writeValue(
  secrets: SecretsManagerClient,
  arn: string,
  at: SecretLocation,
  code: string,
  replacing: string | undefined,
): Promise<string> {
  try {
    await secrets.send(
      new PutResourcePolicyCommand({
        SecretId: arn,
        ResourcePolicy: JSON.stringify(unlockCodeSecretPolicy(at)),
        BlockPublicPolicy: true,
      }),
    );
    const put = await secrets.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: code, ClientRequestToken: versionToken(at.jobId, replacing) }),
    );
    return put.VersionId!;
  } catch (err) {
    rethrow(err);
  }
}

/** Removes a secret this request created and could not fill, so nothing half-written stays. */
export async function discardSecret(secrets: SecretsManagerClient, arn: string): Promise<void> {
  await secrets
    .send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }))
    .catch(() => undefined);
}

/** Schedules the job's secret for deletion with a recovery window: retired, restorable until then. */
export async function scheduleDeletion(secrets: SecretsManagerClient, arn: string, recoveryDays: number): Promise<void> {
  try {
    await secrets.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: recoveryDays }));
  } catch (err) {
    rethrow(err);
  }
}
