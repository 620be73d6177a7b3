import { printable } from './printable';
import { VAULTS, type OperatorKind } from '../contract/vaults';

/** A failure the CLI reports as one line on stderr (or one JSON line with --json), with the exit code it exits with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    /** What kind of failure, for --json: the broker's error code when it sent one. */
    readonly code: string = CODE_OF_EXIT[exitCode] ?? 'Failed',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes: 1 the broker or AWS refused or failed, 2 the command line is wrong, 3 no credentials or API unreachable. */
export const EXIT = { failed: 1, usage: 2, environment: 3 } as const;

const CODE_OF_EXIT: Record<number, string> = { 1: 'Failed', 2: 'Usage', 3: 'Environment' };

/** A text the server wrote, made printable and kept short. */
function quoted(text: string): string {
  const clean = printable(text);
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

interface ApiError {
  code?: string;
  message?: string;
}

/** What the failed call was about, so the message can name the command that fixes it. */
export interface CallContext {
  readonly role: string;
  readonly kind: OperatorKind;
  readonly jobId: string;
  /** The API URL the call went to, for messages about the URL itself. */
  readonly apiUrl: string;
  /** Attempts made, when the last answer was throttled or unavailable. */
  readonly attempts: number;
}

/** An API URL's path is its stage (`/v1/`); without one, API Gateway finds no route and answers as for an unsigned call. */
function missingStage(apiUrl: string): boolean {
  try {
    return new URL(apiUrl).pathname.replace(/\/+$/, '') === '';
  } catch {
    return false;
  }
}

/**
 * Turns an API error answer into one line that says what happened and what to do. The broker's
 * messages never carry a secret, so they are quoted (made printable); nothing else of the answer is.
 */
export function apiFailure(status: number, error: ApiError | undefined, route: string, call: CallContext): CliError {
  const said = quoted(error?.message ?? `HTTP ${status}`);
  const fetch = `snowball-broker ${VAULTS[call.kind].cli.fetch} --job-id ${call.jobId}`;
  const code = error?.code ? quoted(error.code) : undefined;
  const failure = (message: string, exit: number = EXIT.failed) => new CliError(message, exit, code ?? 'Failed');
  switch (code) {
    case 'NothingStored':
      return failure(
        `nothing stored (404): the broker holds no ${VAULTS[call.kind].noun} for ${call.jobId}; if the job is WithCustomer, run "${fetch}" (snowball-broker status shows its state).`,
      );
    case 'ScheduledForDeletion':
      return failure(
        `retired (404): the unlock code of ${call.jobId} is scheduled for deletion; while the job is WithCustomer, "${fetch}" restores it (snowball-broker status shows its state).`,
      );
    case 'AccessDenied':
      return failure(`not allowed (403): your credentials may not call ${route}; use credentials of the ${call.role} role (--profile).`);
    case 'NotSigned':
      return missingStage(call.apiUrl)
        ? failure(
            `no such route (403): the API URL ${quoted(call.apiUrl)} lacks the stage; use the stack's ApiUrl output, which ends in the stage (e.g. …/v1/).`,
            EXIT.usage,
          )
        : failure(`no such route (403) at ${quoted(call.apiUrl)}: use the stack's ApiUrl output as --api-url (or --stack).`, EXIT.usage);
    case 'InvalidSignature':
      return failure(
        "the API rejected the request signature (403): check the secret access key and session token, --region, and this machine's clock.",
      );
    case 'JobNotFound':
      return failure(`unknown job (404): ${said} Check the job id (snowball-broker status lists the jobs).`);
    case 'JobNotWithCustomer':
      return failure(`job not WithCustomer (409): ${said} "snowball-broker status" shows each job's state.`);
    case 'InvalidJobId':
      return failure(`bad job id (400): ${said}`, EXIT.usage);
    default:
      if (status === 429 || status === 503) {
        const tries = call.attempts === 1 ? 'after 1 attempt' : `after ${call.attempts} attempts with backoff`;
        return failure(
          `${status === 429 ? 'throttled' : 'AWS unavailable'} (${status}${code ? ` ${code}` : ''}) ${tries}: wait a minute and run the command again.`,
        );
      }
      return failure(`the broker answered ${code ?? 'an error'} (${status}): ${said}`);
  }
}
