import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GATEWAY_ERRORS, ROUTE_METHODS, routeTemplate } from '../contract/api';
import { BINARY_MEDIA_TYPES } from '../contract/deployment';
import { VAULTS, OPERATOR_KINDS, type OperatorKind } from '../contract/vaults';
import { BodyTooLarge, readBody, sendJson } from './http-util';
import type { VaultReads } from './gateway-reads';
import type { SandboxPrincipal } from './identities';
import { verifySigV4, type SignatureFailure } from './sigv4';

export type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** The broker's routes take no body; the gateway reads at most this much before checking the signature. */
export const GATEWAY_MAX_BODY_BYTES = 64 * 1024;

export interface GatewayOptions {
  readonly region: string;
  readonly stage: string;
  readonly principals: SandboxPrincipal[];
  /** The very handler modules the stack deploys, one per vault, each in its own runtime: POST and the fleet routes. */
  readonly handlers: Record<OperatorKind, Handler>;
  /** GET of a credential: the vault read at its stand-in as the verified caller, never through a function. */
  readonly reads: VaultReads;
  /** Called with one JSON access-log line per answer, refusals included. */
  readonly accessLog?: (line: Record<string, unknown>) => void;
}

type GatewayError = { code: string; message: string };

/** API Gateway answers every authentication failure with 403; the token ones as a bad signature. */
const SIGNATURE_ERRORS: Record<SignatureFailure, GatewayError> = {
  notSigned: GATEWAY_ERRORS.notSigned,
  unknownKey: GATEWAY_ERRORS.invalidSignature,
  invalidToken: GATEWAY_ERRORS.invalidSignature,
  expiredToken: GATEWAY_ERRORS.invalidSignature,
  invalidSignature: GATEWAY_ERRORS.invalidSignature,
};

interface Route {
  readonly kind: OperatorKind;
  /** The raw `{jobId}` segment; undefined on the fleet route. */
  readonly jobSegment?: string;
  readonly methods: readonly string[];
}

/** The routes the stack creates, from the same contract: `/STAGE/jobs/{jobId}/SEGMENT` and `/STAGE/FLEET`. */
function matchRoute(path: string, stage: string): Route | undefined {
  for (const kind of OPERATOR_KINDS) {
    const m = new RegExp(`^/${stage}/jobs/([^/]+)/${VAULTS[kind].segment}$`).exec(path);
    if (m) return { kind, jobSegment: m[1], methods: ROUTE_METHODS };
    if (path === `/${stage}${VAULTS[kind].fleetRoute}`) return { kind, methods: ['GET'] };
  }
  return undefined;
}

function gatewayError(res: ServerResponse, status: number, error: GatewayError): number {
  sendJson(res, status, { error }, { 'x-amzn-ErrorType': error.code });
  return status;
}

/**
 * A local stand-in for the broker's REST API: it caps the body, checks real SigV4 signatures
 * (service `execute-api`, temporary credentials verified whole), admits each operator only to its
 * own vault's routes (as the stack's resource policy does). A GET of a credential is read from the
 * vault's stand-in with the caller's own session, as the stack's read integrations do; anything
 * else becomes an API Gateway proxy event for the same handler modules the stack deploys.
 */
export function createGateway(options: GatewayOptions) {
  const byKey = new Map(options.principals.map((p) => [p.accessKeyId, p]));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    const rawPath = (req.url ?? '/').split('?')[0];
    const url = new URL(req.url ?? '/', 'http://gateway');
    let caller: string | undefined;
    const status = await (async () => {
      const body = await readBody(req, GATEWAY_MAX_BODY_BYTES);
      const route = matchRoute(rawPath, options.stage);
      if (!route || !route.methods.includes(req.method ?? '')) return gatewayError(res, 403, GATEWAY_ERRORS.notSigned);
      const check = await verifySigV4(
        { method: req.method!, path: rawPath, query: url.searchParams, headers: req.headers, body },
        byKey,
        options.region,
        'execute-api',
      );
      if (!check.ok) return gatewayError(res, 403, SIGNATURE_ERRORS[check.failure]);
      caller = check.principal.callerArn;
      if (check.principal.kind !== route.kind) return gatewayError(res, 403, GATEWAY_ERRORS.accessDenied);
      let jobId: string | undefined;
      try {
        jobId = route.jobSegment === undefined ? undefined : decodeURIComponent(route.jobSegment);
      } catch {
        return gatewayError(res, 400, GATEWAY_ERRORS.badJobId);
      }
      if (jobId !== undefined && req.method === 'GET')
        return send(res, await options.reads[route.kind](jobId, check.principal), req.headers.accept);
      const event = proxyEvent(req, rawPath, body, route.kind, jobId, check.principal, options.stage, requestId);
      return send(res, await options.handlers[route.kind](event), req.headers.accept);
    })().catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        return gatewayError(res, 413, GATEWAY_ERRORS.requestTooLarge);
      }
      return gatewayError(res, 500, GATEWAY_ERRORS.internal);
    });
    options.accessLog?.({ requestId, caller: caller ?? '-', method: req.method, path: rawPath, status, latencyMs: Date.now() - started });
  };
}

function proxyEvent(
  req: IncomingMessage,
  rawPath: string,
  body: Buffer,
  kind: OperatorKind,
  jobId: string | undefined,
  principal: SandboxPrincipal,
  stage: string,
  requestId: string,
): APIGatewayProxyEvent {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
  return {
    httpMethod: req.method!,
    resource: jobId === undefined ? VAULTS[kind].fleetRoute : routeTemplate(kind),
    path: rawPath.slice(stage.length + 1),
    pathParameters: jobId === undefined ? null : { jobId },
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    // With binaryMediaTypes */*, API Gateway hands every request body over base64-encoded.
    body: body.length ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {
      requestId,
      stage,
      httpMethod: req.method!,
      identity: { userArn: principal.callerArn, accountId: principal.roleArn.split(':')[4], accessKey: principal.accessKeyId },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** True when the client's first Accept type matches one of the stack's binary media types (`*` a wildcard). */
function acceptsBinary(accept: string | undefined): boolean {
  const first = (accept ?? '').split(',')[0].split(';')[0].trim().toLowerCase();
  const matches = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(first);
  return BINARY_MEDIA_TYPES.some((type) => type === '*/*' || matches(type));
}

/**
 * Maps a proxy result to HTTP as API Gateway does with the stack's binaryMediaTypes: a
 * base64-flagged body is decoded to bytes when the client's first Accept type is binary (with the
 * stack's wildcard, always); every other body goes out as the text the function returned.
 */
function send(res: ServerResponse, result: APIGatewayProxyResult, accept: string | undefined): number {
  const binary = result.isBase64Encoded === true && acceptsBinary(accept);
  const payload = binary ? Buffer.from(result.body, 'base64') : Buffer.from(result.body);
  const headers = { ...(result.headers as Record<string, string>), 'Content-Length': String(payload.length) };
  res.writeHead(result.statusCode, headers).end(payload);
  return result.statusCode;
}
