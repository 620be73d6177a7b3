import { VAULTS, type OperatorKind } from './vaults';

/**
 * The broker API as its clients see it (the CLI, curl, the sandbox's gateway, the functions'
 * answers): routes, what a job id and an unlock code look like, headers, the error codes with
 * their status, and the answers the front door gives before any function runs.
 */

/** Snowball job ids: `JID` or `MID` followed by a lowercase UUID (the Snowball model's `(M|J)ID…`). */
export const JOB_ID_PATTERN = /^[JM]ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The prefixes JOB_ID_PATTERN admits, and an example id, for messages and help. */
export const JOB_ID_PREFIXES = ['JID', 'MID'] as const;
export const JOB_ID_EXAMPLE = 'JID123e4567-e89b-12d3-a456-426655440000';

/** What a job id looks like, for error messages. */
export const JOB_ID_SHAPE = `${JOB_ID_PREFIXES.join(' or ')} followed by a lowercase UUID, e.g. ${JOB_ID_EXAMPLE}`;

/** Unlock codes: 25 alphanumerics in five groups of five, joined by hyphens (29 characters). */
export const UNLOCK_CODE_PATTERN = /^[A-Za-z0-9]{5}(?:-[A-Za-z0-9]{5}){4}$/;

/** API Gateway style route templates, e.g. `/jobs/{jobId}/manifest`. */
export function routeTemplate(kind: OperatorKind): string {
  return `/jobs/{jobId}/${VAULTS[kind].segment}`;
}

/** The concrete path of a route for one job. */
export function routePath(kind: OperatorKind, jobId: string): string {
  return `/jobs/${encodeURIComponent(jobId)}/${VAULTS[kind].segment}`;
}

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

/** Response headers of `GET /jobs/{jobId}/manifest`. */
export const MANIFEST_HEADERS = {
  sha256: 'x-manifest-sha256',
  versionId: 'x-manifest-version-id',
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
