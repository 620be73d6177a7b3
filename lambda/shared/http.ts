import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { JOB_ID_PATTERN } from '../../contract/api';
import { VAULTS, type OperatorKind } from '../../contract/vaults';
import { BrokerError, internalError, invalidJobId, isBrokerError } from './errors';
import { log } from './log';
import { recordOutcome } from './metrics';

/** What a route handler needs from an API Gateway proxy event. */
export interface BrokerRequest {
  readonly method: string;
  /** The validated job id; empty on the fleet route, which names no job. */
  readonly jobId: string;
  readonly route: string;
  /** True for `GET /manifests` / `GET /unlock-codes`. */
  readonly fleet: boolean;
}

/**
 * Reads the method and the validated job id from a proxy event. Never the caller the event names:
 * whoever invokes the function writes that field (same-account lambda:InvokeFunction needs only an
 * identity policy). API Gateway's AWS_IAM and resource policy decide who reaches a route, its
 * access log names the signed caller, and no answer of the function is a credential.
 */
export function parseRequest(event: APIGatewayProxyEvent): BrokerRequest {
  const route = `${event.httpMethod} ${event.resource}`;
  const fleet = Object.values(VAULTS).some((vault) => vault.fleetRoute === event.resource);
  const jobId = fleet ? '' : (event.pathParameters?.jobId ?? '');
  if (!fleet && !JOB_ID_PATTERN.test(jobId)) throw invalidJobId();
  return { method: event.httpMethod, jobId, route, fleet };
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function json(status: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json', ...SECURITY_HEADERS },
    body: JSON.stringify(body),
  };
}

export function binary(bytes: Uint8Array, headers: Record<string, string>): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/octet-stream', ...SECURITY_HEADERS, ...headers },
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  };
}

function errorResponse(err: BrokerError): APIGatewayProxyResult {
  return json(err.status, { error: { code: err.code, message: err.message } });
}

/**
 * Runs a route of one vault's function and maps its outcome to HTTP, recording it as metrics. A
 * BrokerError becomes its own status and safe message; anything else is logged by name only (SDK
 * messages can quote request data) and answered with a bare 500.
 */
export async function respond(
  vault: OperatorKind,
  event: APIGatewayProxyEvent,
  route: (request: BrokerRequest) => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  let request: BrokerRequest | undefined;
  try {
    request = parseRequest(event);
    const result = await route(request);
    // A fleet listing reads no secret: it must not count as a Read.
    if (!request.fleet) recordOutcome(vault);
    return result;
  } catch (err) {
    const known = isBrokerError(err) ? err : internalError();
    const fields = {
      event: 'request-failed',
      route: request?.route ?? `${event.httpMethod} ${event.resource}`,
      jobId: request?.jobId || undefined,
      status: known.status,
      code: known.code,
      errorName: err instanceof Error ? err.name : typeof err,
    };
    if (known.status >= 500 && !isBrokerError(err)) log.error(fields);
    else log.warn(fields);
    recordOutcome(vault, known.code);
    return errorResponse(known);
  }
}
