import { VAULTS, type OperatorKind } from '../contract/vaults';
import { apiFailure, CliError, EXIT } from './errors';
import { printable } from './printable';

/** How the broker's answers are read: what a successful one holds, and what a failed or foreign one means. */

/** One HTTP answer of the broker, its body read whole. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** What kind of body an answer has, from its Content-Type: JSON or what it claims to be. */
function mediaType(reply: Reply): string {
  return (reply.headers.get('content-type') ?? 'no content type').split(';')[0].trim().toLowerCase();
}

const isJson = (reply: Reply) => /^application\/(?:[a-z0-9.+-]+\+)?json$/.test(mediaType(reply));

/** A redirect is never followed: the broker never sends one, so it names a wrong URL or a proxy in between. */
export function redirectFailure(reply: Reply, url: URL): CliError {
  let where = 'elsewhere';
  try {
    where = new URL(reply.headers.get('location') ?? '', url).origin;
  } catch {
    // An unparsable Location header is named as "elsewhere".
  }
  return new CliError(
    `the API at ${url.origin} answered a redirect (${reply.status} to ${printable(where)}), which the broker never sends; it was not followed: use the stack's ApiUrl output as --api-url.`,
    EXIT.usage,
  );
}

export function failureOf(
  reply: Reply,
  url: URL,
  call: { route: string; kind: OperatorKind; jobId: string | undefined; apiUrl: string; attempts: number },
): CliError {
  let error: { code?: string; message?: string } | undefined;
  try {
    const parsed = isJson(reply) ? JSON.parse(reply.body.toString()) : undefined;
    error = parsed && typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  } catch {
    error = undefined;
  }
  if (!error && ![429, 503].includes(reply.status)) {
    return new CliError(
      `the API at ${url.origin} answered ${reply.status} with ${printable(mediaType(reply))}, not the broker's JSON error: check --api-url (the stack's ApiUrl output).`,
    );
  }
  const typed = error && {
    code: typeof error.code === 'string' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
  };
  return apiFailure(reply.status, typed, call.route, {
    role: VAULTS[call.kind].operatorRole,
    kind: call.kind,
    jobId: call.jobId ?? '',
    apiUrl: call.apiUrl,
    attempts: call.attempts,
  });
}

/** The JSON body of a successful answer, or a failure that says it was something else. */
export function jsonOf(reply: Reply, what: string): unknown {
  if (!isJson(reply))
    throw new CliError(
      `the broker's answer to ${what} is ${printable(mediaType(reply))}, not JSON; nothing was printed: check --api-url (the stack's ApiUrl output).`,
    );
  try {
    return JSON.parse(reply.body.toString());
  } catch {
    throw new CliError(
      `the broker's answer to ${what} is not valid JSON; nothing was printed: check --api-url (the stack's ApiUrl output).`,
    );
  }
}
