/**
 * The broker's contract: the one place that names routes, patterns, error codes, environment
 * variables and stack outputs. Imported by the stack, the handlers, the sandbox and the CLI, so it
 * must stay free of CDK and SDK imports (it is bundled into every function).
 */

/** Snowball job ids: `JID` or `MID` followed by a lowercase UUID (the Snowball model's `(M|J)ID…`). */
export const JOB_ID_PATTERN = /^[JM]ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The prefixes JOB_ID_PATTERN admits, and an example id, for messages and help. */
export const JOB_ID_PREFIXES = ['JID', 'MID'] as const;
export const JOB_ID_EXAMPLE = 'JID123e4567-e89b-12d3-a456-426655440000';

/** What a job id looks like, for error messages. */
export const JOB_ID_SHAPE = `${JOB_ID_PREFIXES.join(' or ')} followed by a lowercase UUID, e.g. ${JOB_ID_EXAMPLE}`;

/**
 * The job id of Snowball's job-notification prose ("Your job NAME (JID…) …"): the one in
 * parentheses, so a job name that itself holds an id cannot stand in for the job's.
 */
export const JOB_ID_IN_NOTIFICATION = /\(([JM]ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/g;

/**
 * How long one lifecycle step (DescribeJob, then capturing one job: Snowball's calls, the manifest
 * download's 15 s, the vault write) may take at most; a pass or a batch starts a step only with at
 * least this much of its time left.
 */
export const LIFECYCLE_STEP_BUDGET_MS = 25_000;

/** Unlock codes: 25 alphanumerics in five groups of five, joined by hyphens (29 characters). */
export const UNLOCK_CODE_PATTERN = /^[A-Za-z0-9]{5}(?:-[A-Za-z0-9]{5}){4}$/;

/** The two kinds of operator, one per vault. */
export type OperatorKind = 'manifest' | 'unlockCode';
export const OPERATOR_KINDS: readonly OperatorKind[] = ['manifest', 'unlockCode'];

/** The path segment under `/jobs/{jobId}/` that each vault is served on. */
export const ROUTE_SEGMENT: Record<OperatorKind, string> = {
  manifest: 'manifest',
  unlockCode: 'unlock-code',
};

/** API Gateway style route templates, e.g. `/jobs/{jobId}/manifest`. */
export function routeTemplate(kind: OperatorKind): string {
  return `/jobs/{jobId}/${ROUTE_SEGMENT[kind]}`;
}

/** The concrete path of a route for one job. */
export function routePath(kind: OperatorKind, jobId: string): string {
  return `/jobs/${encodeURIComponent(jobId)}/${ROUTE_SEGMENT[kind]}`;
}

/** The fleet-status route of each vault: every job Snowball lists and what the vault holds for it. */
export const FLEET_ROUTE: Record<OperatorKind, string> = {
  manifest: '/manifests',
  unlockCode: '/unlock-codes',
};

/** One row of a fleet route's answer `{ jobs: FleetEntry[] }`: what a vault holds for one job, never a secret. */
export interface FleetEntry {
  readonly jobId: string;
  readonly state: string;
  readonly createdAt: string;
  readonly credentialsExpireAt: string;
  readonly stored: boolean;
  readonly retired: boolean;
  readonly versionId: string | null;
  readonly fetchedAt: string | null;
  /** The manifest route adds `sha256` and `sizeBytes`. */
  readonly [extra: string]: unknown;
}

/** Methods every route serves: POST brokers from Snowball into the vault, GET reads the vault. */
export const ROUTE_METHODS = ['GET', 'POST'] as const;

/** Where manifests live in the manifest bucket: one object (with versions) per job. */
export const MANIFEST_KEY_PREFIX = 'manifests/';

export function manifestObjectKey(jobId: string): string {
  return `${MANIFEST_KEY_PREFIX}${jobId}/manifest.bin`;
}

/** Default name prefix of the unlock-code secrets; the secret of a job is `prefix + jobId`. */
export const DEFAULT_SECRET_PREFIX = 'snowball/unlock-code/';
export const SECRET_PREFIX_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,200}\/$/;

export function unlockCodeSecretName(prefix: string, jobId: string): string {
  return `${prefix}${jobId}`;
}

/** Response headers of `GET /jobs/{jobId}/manifest`. */
export const MANIFEST_HEADERS = {
  sha256: 'x-manifest-sha256',
  versionId: 'x-manifest-version-id',
} as const;

/** Object metadata the manifest function writes beside each manifest. */
export const MANIFEST_METADATA = {
  jobId: 'job-id',
  fetchedAt: 'fetched-at',
  sha256: 'sha256',
} as const;

/** Largest manifest accepted. A GET returns it base64-encoded inside Lambda's 6 MB payload limit. */
export const DEFAULT_MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** Environment variables the constructs set and the handlers read. */
export const ENV = {
  manifestBucket: 'MANIFEST_BUCKET_NAME',
  manifestMaxBytes: 'MANIFEST_MAX_BYTES',
  manifestDownloadTimeoutMs: 'MANIFEST_DOWNLOAD_TIMEOUT_MS',
  /** One extra origin (scheme://host:port) manifests may be downloaded from; the sandbox's loopback. */
  manifestExtraOrigin: 'MANIFEST_EXTRA_ORIGIN',
  unlockCodeSecretPrefix: 'UNLOCK_CODE_SECRET_PREFIX',
  unlockCodeKeyArn: 'UNLOCK_CODE_KEY_ARN',
  unlockCodeReaderRoleArn: 'UNLOCK_CODE_READER_ROLE_ARN',
  unlockCodeBrokerRoleArn: 'UNLOCK_CODE_BROKER_ROLE_ARN',
  /** Comma-separated ARNs besides the function that may restore a retired secret (deployer, break-glass). */
  unlockCodeRestorerArns: 'UNLOCK_CODE_RESTORER_ARNS',
  /** Days an unlock-code secret stays recoverable after it is retired (7–30). */
  retireRecoveryDays: 'RETIRE_RECOVERY_DAYS',
  /** Jobs a reconcile pass acts on at most; the rest wait for the next pass. */
  reconcileMaxJobs: 'RECONCILE_MAX_JOBS',
} as const;

/** Error codes of the JSON error body `{ "error": { "code", "message" } }`, with their status. */
export const ERROR_STATUS = {
  InvalidJobId: 400,
  AccessDenied: 403,
  NotSigned: 403,
  InvalidSignature: 403,
  MethodNotAllowed: 405,
  RequestTooLarge: 413,
  JobNotFound: 404,
  NothingStored: 404,
  ScheduledForDeletion: 404,
  JobNotWithCustomer: 409,
  /** The job's 360 days are over: its credentials are never stored again. */
  CredentialsExpired: 409,
  /** A secret under the vault's name that the broker did not create: it is never adopted. */
  ForeignSecret: 409,
  /** The job's credential was retired while this capture ran: the retirement stands. */
  RetiredDuringCapture: 409,
  Throttled: 429,
  UpstreamUnavailable: 503,
  ManifestDownloadFailed: 502,
  ManifestTooLarge: 502,
  ManifestTruncated: 502,
  MalformedUnlockCode: 502,
  InternalError: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Answers the API front door gives before any function runs (API Gateway gateway responses; the
 * sandbox's signature check), in the same JSON error shape as the functions' answers.
 */
export const GATEWAY_ERRORS = {
  accessDenied: { code: 'AccessDenied', message: 'Your role is not allowed to call this route.' },
  notSigned: {
    code: 'NotSigned',
    message: 'The request is not signed with SigV4 for execute-api, or no such route exists.',
  },
  invalidSignature: {
    code: 'InvalidSignature',
    message: 'The SigV4 signature is not valid or has expired; check your credentials and clock.',
  },
  badJobId: {
    code: 'InvalidJobId',
    message: 'The job id is missing or not valid: expected JID or MID followed by a lowercase UUID.',
  },
  throttled: { code: 'Throttled', message: 'Too many requests; retry after a short wait.' },
  requestTooLarge: { code: 'RequestTooLarge', message: 'The request body is larger than the broker accepts; its routes take no body.' },
  internal: { code: 'InternalError', message: 'The broker failed unexpectedly.' },
} as const satisfies Record<string, { code: ErrorCode; message: string }>;

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

/** The Snowball job state in which AWS hands out a job's manifest and unlock code. */
export const UNLOCKABLE_STATE = 'WithCustomer';

/** Job states after which a job's credentials are retired from the vaults. */
export const FINISHED_STATES = ['Complete', 'Cancelled'] as const;

/** Snowball credentials stay valid this many days after the job was created. */
export const CREDENTIAL_VALIDITY_DAYS = 360;

export function credentialsExpireAt(createdAt: Date): Date {
  return new Date(createdAt.getTime() + CREDENTIAL_VALIDITY_DAYS * 86_400_000);
}

/** Every state a Snowball job can be in (the `JobState` enum of the Snowball API). */
export const JOB_STATES = [
  'New',
  'PreparingAppliance',
  'PreparingShipment',
  'InTransitToCustomer',
  'WithCustomer',
  'InTransitToAWS',
  'WithAWSSortingFacility',
  'WithAWS',
  'InProgress',
  'Complete',
  'Cancelled',
  'Listing',
  'Pending',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Media types API Gateway treats as binary: all of them, so it decodes every base64-flagged proxy
 * answer (the manifest bytes) whatever the client's Accept header and a plain `curl -o` gets the
 * bytes. JSON answers are not base64-flagged and pass through as text.
 */
export const BINARY_MEDIA_TYPES = ['*/*'];

/**
 * Stable names, so that a service control policy written in another account (the organisation's
 * management account) can name what it guards: the function roles, the vault keys' aliases and
 * the manifest bucket. Role names are global in an account, hence the region in them.
 */
export const STABLE_NAMES = {
  functionRole: (kind: OperatorKind, region: string) => `${FUNCTION_ROLE_PREFIX[kind]}${region}`,
  /** IAM `*` pattern matching a function's role in every region. */
  functionRolePattern: (kind: OperatorKind) => `${FUNCTION_ROLE_PREFIX[kind]}*`,
  keyAlias: (kind: OperatorKind) => `${KEY_ALIAS_PREFIX}${ROUTE_SEGMENT[kind]}-vault`,
  keyAliasPrefix: () => KEY_ALIAS_PREFIX,
  manifestBucket: (account: string, region: string) => `${MANIFEST_BUCKET_PREFIX}${account}-${region}`,
  manifestBucketPattern: (account: string) => `${MANIFEST_BUCKET_PREFIX}${account}-*`,
  /** The operator roles, named like the function roles so the guardrails can name who may assume them. */
  operatorRole: (kind: OperatorKind, region: string) => `${OPERATOR_ROLE_PREFIX[kind]}${region}`,
  /**
   * The broker stack's name: CloudFormation starts every name it generates for the stack's
   * resources (functions, log groups, rules, alarms, topics, queues, roles) with it, so the
   * guardrails name them all by this prefix; generated bucket names start with it in lower case.
   */
  stack: 'SnowballCredentialBroker',
  /** Tag on every resource of the broker stacks, for what has no name to guard by (keys, the API). */
  guardTag: { key: 'snowball-credential-broker', value: 'guarded' },
} as const;
const OPERATOR_ROLE_PREFIX: Record<OperatorKind, string> = {
  manifest: 'SnowballCredentialBroker-ManifestOperator-',
  unlockCode: 'SnowballCredentialBroker-UnlockCodeOperator-',
};
const FUNCTION_ROLE_PREFIX: Record<OperatorKind, string> = {
  manifest: 'SnowballCredentialBroker-ManifestFunction-',
  unlockCode: 'SnowballCredentialBroker-UnlockCodeFunction-',
};
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
  read: 'Read',
  failed: 'Failed',
  /** Jobs a reconcile pass failed on (an alarm watches it). */
  reconcileFailed: 'ReconcileFailed',
  vaultDimension: 'Vault',
  errorCodeDimension: 'ErrorCode',
} as const;

/** The operator CLI reads the API URL from here when `--api-url` is not given. */
export const CLI_API_URL_ENV = 'SNOWBALL_BROKER_API_URL';
