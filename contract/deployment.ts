import { VAULTS, type OperatorKind } from './vaults';

/**
 * The deployment's names: the environment the constructs set and the functions read, the defaults
 * of every setting (one place each), the stack outputs, the stable names a service control policy
 * can name, the metrics and the API's media types.
 */

/** Environment variables the constructs set and the handlers read. */
export const ENV = {
  manifestBucket: 'MANIFEST_BUCKET_NAME',
  /** Set by the sandbox only (its tests of a stalled download): the stack keeps the default. */
  manifestDownloadTimeoutMs: 'MANIFEST_DOWNLOAD_TIMEOUT_MS',
  /** One extra origin (scheme://host:port) manifests may be downloaded from: the sandbox's loopback (set by the sandbox only). */
  manifestExtraOrigin: 'MANIFEST_EXTRA_ORIGIN',
  unlockCodeSecretPrefix: 'UNLOCK_CODE_SECRET_PREFIX',
  unlockCodeKeyArn: 'UNLOCK_CODE_KEY_ARN',
  unlockCodeReaderRoleArn: 'UNLOCK_CODE_READER_ROLE_ARN',
  unlockCodeBrokerRoleArn: 'UNLOCK_CODE_BROKER_ROLE_ARN',
  /** Comma-separated ARNs besides the function that may restore a retired secret (deployer, break-glass). */
  unlockCodeRestorerArns: 'UNLOCK_CODE_RESTORER_ARNS',
  /** Days an unlock-code secret stays recoverable after it is retired (7–30). */
  retireRecoveryDays: 'RETIRE_RECOVERY_DAYS',
} as const;

/**
 * The default of every setting that has one, read by the configuration (lib/config.ts), the
 * constructs, the functions (when a variable is unset) and the sandbox.
 */
export const DEFAULTS = {
  /** Name prefix of the unlock-code secrets; the secret of a job is `prefix + jobId`. */
  secretPrefix: 'snowball/unlock-code/',
  /** Largest manifest accepted. A GET returns it base64-encoded inside Lambda's 6 MB payload limit. */
  manifestMaxBytes: 4 * 1024 * 1024,
  /** How long the manifest function waits for Snowball's presigned download. */
  manifestDownloadTimeoutMs: 15_000,
  /** Days a retired unlock-code secret stays recoverable (Secrets Manager allows 7–30). */
  retireRecoveryDays: 30,
  /** Jobs a reconcile pass acts on at most; the rest wait for the next pass. */
  reconcileMaxJobs: 25,
} as const;

/** Secrets Manager's recovery window, in days: the range `retireRecoveryDays` must be in. */
export const RECOVERY_WINDOW_DAYS = { min: 7, max: 30 } as const;

/**
 * How long one lifecycle step (DescribeJob, then capturing one job: Snowball's calls, the manifest
 * download's 15 s, the vault write) may take at most; a pass or a batch starts a step only with at
 * least this much of its time left.
 */
export const LIFECYCLE_STEP_BUDGET_MS = 25_000;

/** Names of the stack outputs; operators' tools read them. */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  manifestBucketName: 'ManifestBucketName',
  manifestKeyArn: 'ManifestKeyArn',
  unlockCodeKeyArn: 'UnlockCodeKeyArn',
  unlockCodeSecretPrefix: 'UnlockCodeSecretPrefix',
  manifestOperatorRoleArn: 'ManifestOperatorRoleArn',
  unlockCodeOperatorRoleArn: 'UnlockCodeOperatorRoleArn',
  manifestFunctionRoleArn: 'ManifestFunctionRoleArn',
  unlockCodeFunctionRoleArn: 'UnlockCodeFunctionRoleArn',
  alertTopicArn: 'AlertTopicArn',
  jobNotificationTopicArn: 'JobNotificationTopicArn',
} as const;

/**
 * Media types API Gateway treats as binary: all of them, so it decodes every base64-flagged proxy
 * answer (the manifest bytes) whatever the client's Accept header and a plain `curl -o` gets the
 * bytes. JSON answers are not base64-flagged and pass through as text.
 */
export const BINARY_MEDIA_TYPES = ['*/*'];

const STACK = 'SnowballCredentialBroker';

/**
 * Stable names, so that a service control policy written in another account (the organisation's
 * management account) can name what it guards: the function roles, the vault keys' aliases and
 * the manifest bucket. Role names are global in an account, hence the region in them.
 */
export const STABLE_NAMES = {
  functionRole: (kind: OperatorKind, region: string) => `${STACK}-${VAULTS[kind].functionId}-${region}`,
  /** IAM `*` pattern matching a function's role in every region. */
  functionRolePattern: (kind: OperatorKind) => `${STACK}-${VAULTS[kind].functionId}-*`,
  keyAlias: (kind: OperatorKind) => `${KEY_ALIAS_PREFIX}${VAULTS[kind].segment}-vault`,
  keyAliasPrefix: () => KEY_ALIAS_PREFIX,
  manifestBucket: (account: string, region: string) => `${MANIFEST_BUCKET_PREFIX}${account}-${region}`,
  manifestBucketPattern: (account: string) => `${MANIFEST_BUCKET_PREFIX}${account}-*`,
  /** The operator roles, named like the function roles so the guardrails can name who may assume them. */
  operatorRole: (kind: OperatorKind, region: string) => `${STACK}-${VAULTS[kind].operatorRole}-${region}`,
  /**
   * The broker stack's name: CloudFormation starts every name it generates for the stack's
   * resources (functions, log groups, rules, alarms, topics, queues, roles) with it, so the
   * guardrails name them all by this prefix; generated bucket names start with it in lower case.
   */
  stack: STACK,
  /** Tag on every resource of the broker stacks, for what has no name to guard by (keys, the API). */
  guardTag: { key: 'snowball-credential-broker', value: 'guarded' },
} as const;
const KEY_ALIAS_PREFIX = 'alias/snowball-credential-broker/';
const MANIFEST_BUCKET_PREFIX = 'snowball-broker-manifests-';

/**
 * The functions' CloudWatch metrics (embedded metric format). Dimensions come from closed sets
 * (the vault, an error code of ERROR_STATUS), never from a request: no job id, caller or secret.
 */
export const METRICS = {
  namespace: 'SnowballCredentialBroker',
  /** Powertools adds it as the `service` dimension of every metric. */
  service: 'snowball-credential-broker',
  brokered: 'Brokered',
  failed: 'Failed',
  /** Jobs a reconcile pass failed on (an alarm watches it). */
  reconcileFailed: 'ReconcileFailed',
  vaultDimension: 'Vault',
  errorCodeDimension: 'ErrorCode',
} as const;
