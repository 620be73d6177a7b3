/**
 * The IAM actions each broker identity is granted, by what they act on: one table read by the
 * constructs that write the policies (identity policies and key policies) and by the sandbox's
 * stand-ins that enforce them, so the two cannot drift apart (test/infra/grants.test.ts compares
 * it with the synthesized policies). Free of CDK imports: the sandbox loads it.
 *
 * The brokers write and never read back: no function role holds a grant that returns a stored
 * credential (no s3:GetObject, which also authorises HeadObject: the manifest function compares
 * by the SHA-256 it tagged each version with), and the keys grant them no Decrypt (KEY_GRANTS).
 */
export const GRANTS = {
  /** The manifest function: its one Snowball action (Snowball takes no resource-level permissions). */
  manifestFunctionSnowball: ['snowball:GetJobManifest', 'snowball:DescribeJob', 'snowball:ListJobs'],
  /**
   * The manifest function on `manifests/*` of the vault bucket: PutObject with its tags (the
   * SHA-256 and fetch time), reading a version's tags back, DeleteObject (a delete marker: retiring).
   */
  manifestFunctionObjects: ['s3:PutObject', 's3:PutObjectTagging', 's3:GetObjectVersionTagging', 's3:DeleteObject'],
  /**
   * The manifest function on the bucket itself: ListBucket, without which S3 answers a missing
   * manifest with 403, not 404; ListBucketVersions, to tell stored from retired across the fleet.
   */
  manifestFunctionBucket: ['s3:ListBucket', 's3:ListBucketVersions'],
  /** The manifest operator on `manifests/*`: the current version only (a retired one is behind a delete marker). */
  manifestOperatorObjects: ['s3:GetObject'],
  /** The manifest operator on the bucket: ListBucket, so a manifest never stored is 404, not 403. */
  manifestOperatorBucket: ['s3:ListBucket'],
  /** The unlock-code function: its one Snowball action. */
  unlockCodeFunctionSnowball: ['snowball:GetJobUnlockCode', 'snowball:DescribeJob', 'snowball:ListJobs'],
  /**
   * The unlock-code function on the secrets under the vault prefix: everything a write needs
   * (versions are compared by id, never by value) and no GetSecretValue.
   */
  unlockCodeFunctionSecrets: [
    'secretsmanager:CreateSecret',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetResourcePolicy',
    'secretsmanager:ListSecretVersionIds',
    'secretsmanager:PutSecretValue',
    'secretsmanager:UpdateSecretVersionStage',
    'secretsmanager:PutResourcePolicy',
    'secretsmanager:RestoreSecret',
    'secretsmanager:DeleteSecret',
    'secretsmanager:TagResource',
  ],
  /** The unlock-code operator on the secrets under the vault prefix: direct reads, as on AWS. */
  unlockCodeOperatorSecrets: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
} as const satisfies Record<string, readonly string[]>;

export type GrantName = keyof typeof GRANTS;

/** A mutable copy for CDK's PolicyStatement, which takes `string[]`. */
export function actionsOf(grant: GrantName): string[] {
  return [...GRANTS[grant]];
}

/**
 * Secrets Manager checks a caller may use a secret's KMS key when the key is set (CreateSecret):
 * a GenerateDataKey and a Decrypt whose encryption context names this version id, which no real
 * version can have (client request tokens are 32 to 64 characters). A Decrypt allowed only with
 * it decrypts no stored value: GetSecretValue decrypts with the real version id in the context.
 */
export const KEY_VALIDATION_VERSION_ID = 'RequestToValidateKeyAccess';

/** One use of a vault key a key policy allows, through the vault's service only. */
export interface KeyGrant {
  readonly actions: readonly string[];
  /** Set when the use is allowed only with this encryption-context `SecretVersionId`. */
  readonly onlySecretVersionId?: string;
}

/**
 * What each role may do with its vault's key, from the key policies: the functions encrypt (and
 * the unlock-code function passes Secrets Manager's key-access check), the operators decrypt.
 * No function is ever allowed a Decrypt of a stored credential.
 */
export const KEY_GRANTS = {
  manifestFunctionKey: [{ actions: ['kms:GenerateDataKey'] }],
  manifestOperatorKey: [{ actions: ['kms:Decrypt'] }],
  unlockCodeFunctionKey: [
    { actions: ['kms:GenerateDataKey'] },
    { actions: ['kms:Decrypt'], onlySecretVersionId: KEY_VALIDATION_VERSION_ID },
  ],
  unlockCodeOperatorKey: [{ actions: ['kms:Decrypt'] }],
} as const satisfies Record<string, readonly KeyGrant[]>;

export type KeyGrantName = keyof typeof KEY_GRANTS;
