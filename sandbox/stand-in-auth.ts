import type { IncomingMessage } from 'node:http';
import type { SandboxPrincipal } from './identities';
import { verifySigV4, type SignatureFailure } from './sigv4';

/** Who a stand-in knows, and where it runs. */
export interface StandInAuth {
  readonly principals: ReadonlyMap<string, SandboxPrincipal>;
  readonly region: string;
}

/** An AWS error answer: status, error code and message. */
export interface AwsFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

/** How JSON 1.1 services (Snowball, Secrets Manager) answer a request they cannot authenticate. */
const JSON_FAILURES: Record<SignatureFailure, AwsFailure> = {
  notSigned: { status: 400, code: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' },
  unknownKey: { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  invalidToken: { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  expiredToken: { status: 400, code: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
  invalidSignature: { status: 400, code: 'InvalidSignatureException', message: BAD_SIGNATURE },
};

/** How S3 answers the same. */
const S3_FAILURES: Record<SignatureFailure, AwsFailure> = {
  notSigned: { status: 403, code: 'AccessDenied', message: 'Access Denied' },
  unknownKey: { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' },
  invalidToken: { status: 400, code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' },
  expiredToken: { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' },
  invalidSignature: { status: 403, code: 'SignatureDoesNotMatch', message: BAD_SIGNATURE },
};

/**
 * Authenticates a stand-in request with the same SigV4 verifier as the sandbox's API gateway.
 * Returns the principal, or the failure in the service's own words.
 */
export async function authenticate(
  req: IncomingMessage,
  body: Buffer,
  auth: StandInAuth,
  service: 'snowball' | 'secretsmanager' | 's3',
): Promise<{ principal: SandboxPrincipal } | { failure: AwsFailure }> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const rawPath = (req.url ?? '/').split('?')[0];
  const check = await verifySigV4({ method: req.method ?? 'GET', path: rawPath, query: url.searchParams, headers: req.headers, body }, auth.principals, auth.region, service);
  if (check.ok) return { principal: check.principal };
  return { failure: (service === 's3' ? S3_FAILURES : JSON_FAILURES)[check.failure] };
}
