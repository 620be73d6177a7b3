import type { IncomingMessage, ServerResponse } from 'node:http';
import { deniedMessage, isAllowed, type Scope } from './access';
import { readBody, sendAwsJsonError } from './http-util';
import type { SandboxPrincipal } from './identities';
import { scpDenies } from './scp';
import { verifySigV4, type SignatureFailure } from './sigv4';
import type { RecordedCall, SandboxTrail } from './trail';

/** Who a stand-in knows, where it runs, what records its calls and which SCP (if any) applies. */
export interface StandInAuth {
  readonly principals: ReadonlyMap<string, SandboxPrincipal>;
  readonly region: string;
  readonly account: string;
  readonly trail?: SandboxTrail;
  /** The guardrails service control policy, when the sandbox runs with it. */
  readonly scp?: { Statement: unknown[] };
}

/**
 * Reads, authenticates and parses a JSON 1.1 request (Snowball, Secrets Manager). Returns the
 * caller and the input, or undefined once it has answered the AWS error itself.
 */
export async function jsonRequest<T>(
  req: IncomingMessage,
  res: ServerResponse,
  auth: StandInAuth,
  service: 'snowball' | 'secretsmanager',
): Promise<{ principal: SandboxPrincipal; input: T } | undefined> {
  const raw = await readBody(req);
  const who = await authenticate(req, raw, auth, service);
  if ('failure' in who) return void sendAwsJsonError(res, who.failure.status, who.failure.code, who.failure.message);
  try {
    return { principal: who.principal, input: JSON.parse(raw.toString() || '{}') as T };
  } catch {
    return void sendAwsJsonError(res, 400, 'SerializationException', 'The request body is not valid JSON.');
  }
}

/** One request as IAM authorises it. */
export interface AuthorizationRequest {
  readonly service: RecordedCall['service'];
  readonly operation: string;
  /** What CloudTrail calls the call when it is not the action's name (S3 records a HEAD as `HeadObject`, a version's deletion as `DeleteObject`). */
  readonly eventName?: string;
  /** What the grants must cover; undefined when nothing in the sandbox could. */
  readonly scope: Scope | undefined;
  /** The resource's ARN (or `*`), for the SCP and the refusal message. */
  readonly resource: string;
  readonly requestParameters: Record<string, string>;
}

/**
 * Decides a request as IAM would, SCP first, then the principal's grants, and records the call
 * (refused or not) in the sandbox's CloudTrail. Returns the refusal message, or undefined.
 */
export function authorize(auth: StandInAuth, principal: SandboxPrincipal, request: AuthorizationRequest): string | undefined {
  const action = `${request.service}:${request.operation}`;
  const context = { 'aws:PrincipalArn': principal.roleArn, 'aws:PrincipalAccount': auth.account, 'aws:ResourceAccount': auth.account };
  let refusal: string | undefined;
  if (auth.scp && scpDenies(auth.scp, { action, resource: request.resource, context })) {
    refusal = `User: ${principal.callerArn} is not authorized to perform: ${action} on resource: ${request.resource} with an explicit deny in a service control policy`;
  } else if (!isAllowed(principal, action, request.scope)) {
    refusal = deniedMessage(principal, action, request.resource);
  }
  const errorCode = refusal === undefined ? undefined : request.service === 's3' ? 'AccessDenied' : 'AccessDeniedException';
  auth.trail?.record({
    service: request.service,
    eventName: request.eventName ?? request.operation,
    principal,
    requestParameters: request.requestParameters,
    errorCode,
  });
  return refusal;
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
  const check = await verifySigV4(
    { method: req.method ?? 'GET', path: rawPath, query: url.searchParams, headers: req.headers, body },
    auth.principals,
    auth.region,
    service,
  );
  if (check.ok) return { principal: check.principal };
  return { failure: (service === 's3' ? S3_FAILURES : JSON_FAILURES)[check.failure] };
}
