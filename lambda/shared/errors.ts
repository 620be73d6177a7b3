import { ERROR_STATUS, JOB_ID_SHAPE, type ErrorCode } from '../../contract/api';

/**
 * The closed set of failures the broker reports. Each carries its HTTP status and a message that
 * is safe to show a caller: no unlock code, presigned URL, manifest bytes or internal detail.
 */
export class BrokerError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
    this.status = ERROR_STATUS[code];
  }
}

export const invalidJobId = () => new BrokerError('InvalidJobId', `The job id is not valid: expected ${JOB_ID_SHAPE}.`);

export const accessDenied = () => new BrokerError('AccessDenied', 'Your role is not allowed to call this route.');

export const jobNotFound = (jobId: string) => new BrokerError('JobNotFound', `Snowball knows no job ${jobId} in this account and region.`);

export const nothingStored = (jobId: string, what: string) =>
  new BrokerError('NothingStored', `No ${what} is stored for job ${jobId} yet: broker it first with POST.`);

export const jobNotWithCustomer = (jobId: string, state: string) =>
  new BrokerError(
    'JobNotWithCustomer',
    `Job ${jobId} is in state ${state}; Snowball hands out its credentials only while it is WithCustomer.`,
  );

export const throttled = () => new BrokerError('Throttled', 'AWS throttled the request; retry after a short wait.');

export const upstreamUnavailable = () =>
  new BrokerError('UpstreamUnavailable', 'An AWS service the broker depends on did not answer; retry later.');

export const methodNotAllowed = () => new BrokerError('MethodNotAllowed', 'This route answers GET and POST only.');

/** A function is never in a read path: the API reads the vault with the caller's own credentials. */
export const readNotServedHere = () =>
  new BrokerError(
    'MethodNotAllowed',
    'The broker functions never read a stored credential; GET is served by the API with your own credentials.',
  );

export const credentialsExpired = (jobId: string, expiredAt: string) =>
  new BrokerError(
    'CredentialsExpired',
    `The credentials of job ${jobId} expired on ${expiredAt} (360 days after the job was created); nothing was stored.`,
  );

export const foreignSecret = (jobId: string) =>
  new BrokerError(
    'ForeignSecret',
    `A secret for job ${jobId} already exists that the broker did not create (another key, or without the broker's tags); nothing was stored. Delete it after investigating, then POST again.`,
  );

export const retiredDuringCapture = (jobId: string) =>
  new BrokerError(
    'RetiredDuringCapture',
    `The credential of job ${jobId} was retired while it was being captured; the retirement stands and nothing was restored.`,
  );

export const internalError = () => new BrokerError('InternalError', 'The broker failed unexpectedly; see its logs by request id.');

export function isBrokerError(err: unknown): err is BrokerError {
  return err instanceof BrokerError;
}

export const manifestDownloadFailed = (why: string) =>
  new BrokerError(
    'ManifestDownloadFailed',
    `Downloading the manifest from Snowball's presigned URL failed (${why}); nothing was stored. Retry the POST.`,
  );

export const manifestTooLarge = (maxBytes: number) =>
  new BrokerError('ManifestTooLarge', `The manifest is larger than the ${maxBytes}-byte limit; nothing was stored.`);

export const manifestTruncated = () =>
  new BrokerError('ManifestTruncated', 'The manifest download ended before all its bytes arrived; nothing was stored. Retry the POST.');

export const malformedUnlockCode = () =>
  new BrokerError('MalformedUnlockCode', 'Snowball returned an unlock code that is not 5 groups of 5 alphanumerics; nothing was stored.');

export const scheduledForDeletion = (jobId: string) =>
  new BrokerError(
    'ScheduledForDeletion',
    `The unlock code of job ${jobId} is scheduled for deletion; while the job is WithCustomer, POST /jobs/${jobId}/unlock-code restores it (the code of a Complete or Cancelled job stays retired).`,
  );
