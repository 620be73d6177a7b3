import { ERROR_STATUS, GATEWAY_ERRORS, JOB_ID_PATTERN, UNLOCK_CODE_PATTERN, type ErrorCode } from '../contract/api';
import { VAULTS, type OperatorKind } from '../contract/vaults';

/**
 * How `GET /jobs/{jobId}/…` reads a vault: API Gateway calls the vault's own service with the
 * caller's credentials (no broker code in the read path, and CloudTrail records the read as the
 * operator's session), and maps the service's answer to the broker's contract. CDK-free: the
 * BrokerApi renders these as mapping templates and the sandbox's gateway applies the same table.
 */

/** What a failed vault read means to a caller, by the vault service's error. */
export interface ReadFailure {
  /** The service's error type (Secrets Manager `__type`) or HTTP status (S3), as a pattern. */
  readonly when: { readonly errorType?: string; readonly status?: number };
  readonly code: ErrorCode;
}

/** Per vault: the service's failures, first match wins; anything else is `InternalError`. */
export const READ_FAILURES: Record<OperatorKind, readonly ReadFailure[]> = {
  unlockCode: [
    { when: { errorType: 'ResourceNotFoundException' }, code: 'NothingStored' },
    { when: { errorType: 'InvalidRequestException' }, code: 'ScheduledForDeletion' },
    { when: { errorType: 'AccessDeniedException' }, code: 'AccessDenied' },
    { when: { errorType: 'ThrottlingException' }, code: 'Throttled' },
  ],
  manifest: [
    { when: { status: 404 }, code: 'NothingStored' },
    { when: { status: 403 }, code: 'AccessDenied' },
    { when: { status: 503 }, code: 'Throttled' },
  ],
};

/** The safe message of each read failure; `jobId` is already validated (or a VTL reference). */
export function readFailureMessage(kind: OperatorKind, code: ErrorCode, jobId: string): string {
  switch (code) {
    case 'NothingStored':
      return `No ${VAULTS[kind].noun} is stored for job ${jobId}: broker it first with POST.`;
    case 'ScheduledForDeletion':
      return `The unlock code of job ${jobId} is scheduled for deletion; while the job is WithCustomer, POST /jobs/${jobId}/unlock-code restores it (the code of a Complete or Cancelled job stays retired).`;
    case 'AccessDenied':
      return GATEWAY_ERRORS.accessDenied.message;
    case 'Throttled':
      return GATEWAY_ERRORS.throttled.message;
    case 'InvalidJobId':
      return GATEWAY_ERRORS.badJobId.message;
    default:
      return GATEWAY_ERRORS.internal.message;
  }
}

/** The failure a vault read answered with, from the service's error type or status. */
export function readFailureCode(kind: OperatorKind, answer: { errorType?: string; status?: number }): ErrorCode {
  const found = READ_FAILURES[kind].find(
    ({ when }) =>
      (when.errorType !== undefined && answer.errorType?.includes(when.errorType)) ||
      (when.status !== undefined && when.status === answer.status),
  );
  return found?.code ?? 'InternalError';
}

/** A job id is read only when it is one: anything else never reaches a vault name. */
export const isJobId = (jobId: string) => JOB_ID_PATTERN.test(jobId);

/** A stored value is handed out only when it is an unlock code. */
export const isUnlockCode = (value: string) => UNLOCK_CODE_PATTERN.test(value);

/** A job id that names no manifest: what the S3 read is pointed at when the path's id is not valid. */
export const NO_JOB = 'invalid-job-id';

// ----- mapping templates (Velocity, as API Gateway runs them) -----

const JOB = "$input.params('jobId')";
/** Java's String.matches anchors the whole string; the contract's patterns carry ^…$ already. */
const matches = (re: RegExp, ref: string) => `${ref}.matches('${re.source}')`;

function errorJson(status: number, code: ErrorCode, message: string): string {
  return `#set($context.responseOverride.status = ${status})\n{"error":{"code":"${code}","message":"${message}"}}`;
}

function branch(kind: OperatorKind, code: ErrorCode): string {
  return errorJson(ERROR_STATUS[code], code, readFailureMessage(kind, code, '$jobId'));
}

/** The request template of the unlock-code read: Secrets Manager GetSecretValue, JSON 1.1. */
export function unlockCodeRequestTemplate(secretPrefix: string): string {
  return [
    `#set($jobId = ${JOB})`,
    `#if(${matches(JOB_ID_PATTERN, '$jobId')})`,
    `{"SecretId":"${secretPrefix}$jobId"}`,
    '#else',
    '{"SecretId":""}',
    '#end',
  ].join('\n');
}

/** The success template of the unlock-code read: `{jobId, unlockCode}`, only for a well-formed code. */
export function unlockCodeSuccessTemplate(): string {
  return [
    `#set($jobId = ${JOB})`,
    "#set($code = $input.path('$.SecretString'))",
    `#if(${matches(JOB_ID_PATTERN, '$jobId')} && "$!code" != "" && ${matches(UNLOCK_CODE_PATTERN, '$code')})`,
    '{"jobId":"$jobId","unlockCode":"$code"}',
    '#else',
    branch('unlockCode', 'InternalError'),
    '#end',
  ].join('\n');
}

/** The failure template of the unlock-code read, from Secrets Manager's `__type`. */
export function unlockCodeFailureTemplate(): string {
  const lines = [
    `#set($jobId = ${JOB})`,
    '#set($type = "$!input.path(\'$.__type\')")',
    `#if(!${matches(JOB_ID_PATTERN, '$jobId')})`,
    branch('unlockCode', 'InvalidJobId'),
  ];
  for (const failure of READ_FAILURES.unlockCode)
    lines.push(`#elseif($type.contains('${failure.when.errorType}'))`, branch('unlockCode', failure.code));
  lines.push('#else', branch('unlockCode', 'InternalError'), '#end');
  return lines.join('\n');
}

/** The request template of the manifest read: S3 GetObject; a path that is not a job id reads nothing. */
export function manifestRequestTemplate(): string {
  return [`#if(!${matches(JOB_ID_PATTERN, JOB)})`, `#set($context.requestOverride.path.jobId = "${NO_JOB}")`, '#end'].join('\n');
}

/** The failure template of the manifest read for one S3 status. */
export function manifestFailureTemplate(status: number | undefined): string {
  const code = status === undefined ? 'InternalError' : readFailureCode('manifest', { status });
  return [
    `#set($jobId = ${JOB})`,
    `#if(!${matches(JOB_ID_PATTERN, '$jobId')})`,
    branch('manifest', 'InvalidJobId'),
    '#else',
    branch('manifest', code),
    '#end',
  ].join('\n');
}

/** Headers every read answer carries. */
export const READ_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;
