import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { FLEET_ROUTE, routePath, type OperatorKind } from '../lib/contract';
import { CliError, EXIT, apiFailure } from './errors';

export interface Connection {
  readonly apiUrl: string;
  readonly region: string;
  readonly profile?: string;
  /** Timeout and retries. Default: DEFAULT_CALL_POLICY. */
  readonly policy?: CallPolicy;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** What the standard provider chain resolves to. */
export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>;

const ROLE: Record<OperatorKind, string> = { manifest: 'ManifestOperator', unlockCode: 'UnlockCodeOperator' };

/**
 * Where the standard chain would look first and stop: keys in the environment, when no profile is
 * named (the chain skips the environment for a profile). Taken directly, so the common case never
 * loads the chain's SSO, STS and file providers.
 */
function environmentCredentials(profile: string | undefined, env: NodeJS.ProcessEnv): AwsCredentialIdentity | undefined {
  if (profile || env.AWS_PROFILE || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** Credentials from the standard AWS provider chain: environment, profiles, SSO, container and instance roles. */
export async function resolveCredentials(profile?: string, env: NodeJS.ProcessEnv = process.env): Promise<AwsCredentialIdentity> {
  const direct = environmentCredentials(profile, env);
  if (direct) return direct;
  try {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    return await fromNodeProviderChain(profile ? { profile } : {})();
  } catch {
    const where = profile ? `profile "${profile}"` : 'the environment, ~/.aws or an instance role';
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
 * One HTTP exchange with node:http(s) (not fetch, whose first use costs a CLI start ~50 ms): the
 * timeout covers the headers and the whole body.
 */
function exchange(url: URL, method: string, headers: Record<string, string>, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
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
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return headers;
}

/** One signed round trip; the timeout covers the headers and the whole body. */
async function attempt(url: URL, method: string, headers: Record<string, string>, timeoutMs: number): Promise<Attempt> {
  try {
    return { reply: await exchange(url, method, headers, timeoutMs) };
  } catch (err) {
    if (err instanceof TimedOut) {
      throw new CliError(`the broker API at ${url.origin} did not answer within ${timeoutMs / 1000} s (timed out): check --api-url and your network, or raise --timeout.`, EXIT.environment);
    }
    const code = ((err as { code?: string }).code ?? '') as string;
    const failure = new CliError(`cannot reach the broker API at ${url.origin}${code ? ` (${code})` : ''}: check --api-url and your network.`, EXIT.environment);
    if (TRANSIENT_NETWORK.has(code)) return { transient: true, failure };
    throw failure;
  }
}

function failureOf(reply: Reply, route: string, kind: OperatorKind, jobId: string | undefined): CliError {
  let error: { code?: string; message?: string } | undefined;
  try {
    error = JSON.parse(reply.body.toString()).error;
  } catch {
    error = undefined;
  }
  return apiFailure(reply.status, error, route, { role: ROLE[kind], kind, jobId: jobId ?? '' });
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
  const path = jobId === undefined ? FLEET_ROUTE[kind] : routePath(kind, jobId);
  const url = new URL(connection.apiUrl.replace(/\/?$/, '') + path);
  const route = `${method} ${path}`;
  const sleep = policy.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let n = 1; ; n++) {
    const result = await attempt(url, method, await signedRequest(connection, credentials, method, url, accept), policy.timeoutMs);
    const last = n >= policy.maxAttempts;
    if ('transient' in result) {
      if (last) throw result.failure;
    } else if (result.reply.status < 400) {
      return result.reply;
    } else if (last || !TRANSIENT_STATUS.has(result.reply.status)) {
      throw failureOf(result.reply, route, kind, jobId);
    }
    await sleep(backoffMs(n, policy.random ?? Math.random));
  }
}
