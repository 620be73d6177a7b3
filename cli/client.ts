import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { routePath, type OperatorKind } from '../lib/contract';
import { CliError, EXIT, apiFailure } from './errors';

export interface Connection {
  readonly apiUrl: string;
  readonly region: string;
  readonly profile?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** What the standard provider chain resolves to. */
export type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>;

const ROLE: Record<OperatorKind, string> = { manifest: 'ManifestOperator', unlockCode: 'UnlockCodeOperator' };

/** Credentials from the standard AWS provider chain: environment, profiles, SSO, container and instance roles. */
export async function resolveCredentials(profile?: string): Promise<AwsCredentialIdentity> {
  try {
    return await fromNodeProviderChain(profile ? { profile } : {})();
  } catch {
    const where = profile ? `profile "${profile}"` : 'the environment, ~/.aws or an instance role';
    throw new CliError(`no AWS credentials found in ${where}: run "aws sso login", set AWS_PROFILE or pass --profile.`, EXIT.environment);
  }
}

/** Calls one broker route, SigV4-signed for execute-api with the SDK's own signer. */
export async function callBroker(
  connection: Connection,
  credentials: AwsCredentialIdentity,
  method: 'GET' | 'POST',
  kind: OperatorKind,
  jobId: string,
  accept = 'application/json',
): Promise<Reply> {
  const url = new URL(connection.apiUrl.replace(/\/?$/, '') + routePath(kind, jobId));
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
  let response: Response;
  try {
    response = await fetch(url, { method, headers, signal: AbortSignal.timeout(60_000) });
  } catch {
    throw new CliError(`cannot reach the broker API at ${url.origin}: check --api-url and your network.`, EXIT.environment);
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (response.ok) return { status: response.status, headers: response.headers, body };
  let error: { code?: string; message?: string } | undefined;
  try {
    error = JSON.parse(body.toString()).error;
  } catch {
    error = undefined;
  }
  throw apiFailure(response.status, error, `${method} ${routePath(kind, jobId)}`, ROLE[kind]);
}
