import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { routePath } from '../contract/api';
import { VAULTS, type OperatorKind } from '../contract/vaults';
import { CliError, EXIT } from './errors';
import { printable } from './printable';
import { failureOf, redirectFailure, type Reply } from './replies';

export type { Reply } from './replies';

export interface Connection {
  readonly apiUrl: string;
  readonly region: string;
  readonly profile?: string;
  /** Timeout and retries. Default: DEFAULT_CALL_POLICY. */
  readonly policy?: CallPolicy;
}

/** What the standard provider chain resolves to. */
export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>;

/**
 * Where the standard chain would look first and stop: keys in the environment, when no profile is
 * named (the chain skips the environment for a profile). Taken directly, so the common case never
 * loads the chain's SSO, STS and file providers.
 */
function environmentCredentials(profile: string | undefined, env: NodeJS.ProcessEnv): AwsCredentialIdentity | undefined {
  if (profile || env.AWS_PROFILE || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  };
}

/**
 * The SDK's own warnings (8 lines when both AWS_PROFILE and keys are set) would break the CLI's
 * one-line stderr: they are caught here and told in one line of the CLI's own, or not at all.
 */
function quietLogger(warn: (line: string) => void) {
  const none = () => undefined;
  return {
    debug: none,
    info: none,
    error: none,
    warn: (message: unknown) => {
      if (/Multiple credential sources/.test(String(message)))
        warn('both a profile (AWS_PROFILE) and keys (AWS_ACCESS_KEY_ID) are set; using the profile: unset one of them.');
    },
  };
}

/** Credentials from the standard AWS provider chain: environment, profiles, SSO, container and instance roles. */
export async function resolveCredentials(
  profile?: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = () => undefined,
): Promise<AwsCredentialIdentity> {
  const direct = environmentCredentials(profile, env);
  if (direct) return direct;
  try {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    return await fromNodeProviderChain({ ...(profile ? { profile } : {}), logger: quietLogger(warn) })();
  } catch {
    const name = profile ?? env.AWS_PROFILE;
    const where = name ? `profile "${printable(name)}"` : 'the environment, ~/.aws or an instance role';
    throw new CliError(`no AWS credentials found in ${where}: run "aws sso login", set AWS_PROFILE or pass --profile.`, EXIT.environment);
  }
}

/** How a call waits and retries. */
export interface CallPolicy {
  /** Per attempt, from sending the request to the last byte of the answer. */
  readonly timeoutMs: number;
  /** Attempts in all; 1 turns retrying off. */
  readonly maxAttempts: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_CALL_POLICY: CallPolicy = { timeoutMs: 30_000, maxAttempts: 3 };

/** Answers worth another try: throttled, or AWS briefly unavailable behind the broker. */
const TRANSIENT_STATUS = new Set([429, 503]);
/** Connections that broke mid-way, as opposed to never opened (unreachable is not transient). */
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'EPIPE']);

/** The AWS SDKs' "full jitter": a random wait up to 1 s, 2 s, 4 s … (at most 20 s) before attempt n+1. */
function backoffMs(attempt: number, random: () => number): number {
  return random() * Math.min(20_000, 1000 * 2 ** (attempt - 1));
}

async function signedRequest(connection: Connection, credentials: AwsCredentialIdentity, method: 'GET' | 'POST', url: URL, accept: string) {
  const signer = new SignatureV4({ service: 'execute-api', region: connection.region, credentials, sha256: Hash.bind(null, 'sha256') });
  const request = new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { host: url.host, accept },
  });
  const { headers } = await signer.sign(request);
  delete headers.host;
  return headers;
}

type Attempt = { reply: Reply } | { transient: true; failure: CliError };

class TimedOut extends Error {}

/**
 * The most any answer may be: API Gateway's REST payload limit (10 MB). Anything longer is not the
 * broker talking, and is cut off instead of filling the memory of the operator's laptop.
 */
export const MAX_ANSWER_BYTES = 10 * 1024 * 1024;

class TooLarge extends Error {}

/**
 * One HTTP exchange with node:http(s) (not fetch, whose first use costs a CLI start ~50 ms): the
 * timeout covers the headers and the whole body, and the body stops at MAX_ANSWER_BYTES.
 */
function exchange(url: URL, method: string, headers: Record<string, string>, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = Number(res.headers['content-length'] ?? 0);
      if (size > MAX_ANSWER_BYTES) return void req.destroy(new TooLarge());
      size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) return void req.destroy(new TooLarge());
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new TimedOut()), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return headers;
}

/** One signed round trip; the timeout covers the headers and the whole body. */
async function attempt(url: URL, method: string, headers: Record<string, string>, timeoutMs: number): Promise<Attempt> {
  try {
    return { reply: await exchange(url, method, headers, timeoutMs) };
  } catch (err) {
    if (err instanceof TooLarge) {
      throw new CliError(
        `the API at ${url.origin} sent an answer over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, more than any answer of the broker; it was cut off and nothing was written: check --api-url.`,
      );
    }
    if (err instanceof TimedOut) {
      throw new CliError(
        `the broker API at ${url.origin} did not answer within ${timeoutMs / 1000} s (timed out): check --api-url and your network, or raise --timeout.`,
        EXIT.environment,
      );
    }
    const code = ((err as { code?: string }).code ?? '') as string;
    const failure = new CliError(
      `cannot reach the broker API at ${url.origin}${code ? ` (${code})` : ''}: check --api-url and your network, then run the command again.`,
      EXIT.environment,
    );
    if (TRANSIENT_NETWORK.has(code)) return { transient: true, failure };
    throw failure;
  }
}

/**
 * Calls one broker route, SigV4-signed for execute-api with the SDK's own signer (signed anew for
 * each attempt). Throttled (429) and unavailable (503) answers and broken connections are retried
 * with jittered exponential backoff, as the AWS CLI does; every POST of the broker is idempotent.
 */
export async function callBroker(
  connection: Connection,
  credentials: AwsCredentialIdentity,
  method: 'GET' | 'POST',
  kind: OperatorKind,
  /** The job, or undefined for the vault's fleet route. */
  jobId: string | undefined,
  accept = 'application/json',
): Promise<Reply> {
  const policy = connection.policy ?? DEFAULT_CALL_POLICY;
  const path = jobId === undefined ? VAULTS[kind].fleetRoute : routePath(kind, jobId);
  const url = new URL(connection.apiUrl.replace(/\/?$/, '') + path);
  const route = `${method} ${path}`;
  const sleep = policy.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let n = 1; ; n++) {
    const result = await attempt(url, method, await signedRequest(connection, credentials, method, url, accept), policy.timeoutMs);
    const last = n >= policy.maxAttempts;
    if ('transient' in result) {
      if (last) throw result.failure;
    } else if (result.reply.status >= 300 && result.reply.status < 400) {
      throw redirectFailure(result.reply, url);
    } else if (result.reply.status >= 200 && result.reply.status < 300) {
      return result.reply;
    } else if (last || !TRANSIENT_STATUS.has(result.reply.status)) {
      throw failureOf(result.reply, url, { route, kind, jobId, apiUrl: connection.apiUrl, attempts: n });
    }
    await sleep(backoffMs(n, policy.random ?? Math.random));
  }
}
