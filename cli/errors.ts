/** A failure the CLI reports as one line on stderr, with the exit code it exits with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes: 1 the broker or AWS refused or failed, 2 the command line is wrong, 3 no credentials or API unreachable. */
export const EXIT = { failed: 1, usage: 2, environment: 3 } as const;

interface ApiError {
  code?: string;
  message?: string;
}

/** What the failed call was about, so the message can name the command that fixes it. */
export interface CallContext {
  readonly role: string;
  readonly kind: 'manifest' | 'unlockCode';
  readonly jobId: string;
}

const FETCH_COMMAND = { manifest: 'fetch-manifest', unlockCode: 'fetch-unlock-code' } as const;

/**
 * Turns an API error answer into one line that says what to do. The broker's messages never
 * carry a secret, so they are quoted; anything else about the answer is not.
 */
export function apiFailure(status: number, error: ApiError | undefined, route: string, call: CallContext): CliError {
  const said = error?.message ?? `HTTP ${status}`;
  const fetch = `snowball-broker ${FETCH_COMMAND[call.kind]} --job-id ${call.jobId}`;
  const role = call.role;
  switch (error?.code) {
    case 'NothingStored':
      return new CliError(`nothing stored yet (404): the broker holds no ${call.kind === 'manifest' ? 'manifest' : 'unlock code'} for ${call.jobId}; run "${fetch}" first.`);
    case 'ScheduledForDeletion':
      return new CliError(`scheduled for deletion (404): the unlock code of ${call.jobId} is scheduled for deletion; run "${fetch}" to restore it.`);
    case 'AccessDenied':
      return new CliError(`not allowed (403): your credentials may not call ${route}; this command needs the ${role} role.`);
    case 'NotSigned':
    case 'InvalidSignature':
      return new CliError(`the API rejected the request signature (403): check your credentials, --region and clock. ${said}`);
    case 'JobNotFound':
      return new CliError(`unknown job (404): ${said}`);
    case 'JobNotWithCustomer':
      return new CliError(`job not WithCustomer (409): ${said}`);
    case 'InvalidJobId':
      return new CliError(`bad job id (400): ${said}`, EXIT.usage);
    default:
      return new CliError(`${error?.code ?? 'failed'} (${status}): ${said}`);
  }
}
