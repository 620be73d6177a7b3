/**
 * The IAM actions each broker identity is granted, by what they act on: one table read by the
 * constructs that write the policies and by the sandbox's stand-ins that enforce them, so the two
 * cannot drift apart (test/infra/grants.test.ts compares it with the synthesized policies).
 * Free of CDK imports: the sandbox loads it.
 */
export const GRANTS = {
  /** The manifest function: its one Snowball action (Snowball takes no resource-level permissions). */
  manifestFunctionSnowball: ['snowball:GetJobManifest', 'snowball:DescribeJob', 'snowball:ListJobs'],
  /** The manifest function on `manifests/*` of the vault bucket; DeleteObject only adds a delete marker (retiring). */
  manifestFunctionObjects: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject'],
  /**
   * The manifest function on the bucket itself: ListBucket, without which S3 answers a missing
   * manifest with 403, not 404; ListBucketVersions, to tell stored from retired across the fleet.
   */
  manifestFunctionBucket: ['s3:ListBucket', 's3:ListBucketVersions'],
  /** The manifest operator on `manifests/*`: direct reads, as on AWS. */
  manifestOperatorObjects: ['s3:GetObject', 's3:GetObjectVersion'],
  /** The unlock-code function: its one Snowball action. */
  unlockCodeFunctionSnowball: ['snowball:GetJobUnlockCode', 'snowball:DescribeJob', 'snowball:ListJobs'],
  /** The unlock-code function on the secrets under the vault prefix. */
  unlockCodeFunctionSecrets: [
    'secretsmanager:CreateSecret',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetSecretValue',
    'secretsmanager:PutSecretValue',
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
