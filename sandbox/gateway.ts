import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GATEWAY_ERRORS, OPERATOR_KINDS, ROUTE_METHODS, ROUTE_SEGMENT, routeTemplate, type OperatorKind } from '../lib/contract';
import { readBody, sendJson } from './http-util';
import type { SandboxPrincipal } from './identities';
import { verifySigV4 } from './sigv4';

export type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
  readonly region: string;
  readonly stage: string;
  readonly principals: SandboxPrincipal[];
  /** The very handler modules the stack deploys, one per vault. */
  readonly handlers: Record<OperatorKind, Handler>;
  /** Called with one JSON access-log line per request. */
  readonly accessLog?: (line: Record<string, unknown>) => void;
}

/** The routes the stack creates, from the same contract: `/STAGE/jobs/{jobId}/SEGMENT`. */
function matchRoute(path: string, stage: string): { kind: OperatorKind; jobSegment: string } | undefined {
  for (const kind of OPERATOR_KINDS) {
    const m = new RegExp(`^/${stage}/jobs/([^/]+)/${ROUTE_SEGMENT[kind]}$`).exec(path);
    if (m) return { kind, jobSegment: m[1] };
  }
  return undefined;
}

function gatewayError(res: ServerResponse, status: number, error: { code: string; message: string }): number {
  sendJson(res, status, { error }, { 'x-amzn-ErrorType': error.code });
  return status;
}

/**
 * A local stand-in for the broker's REST API: it checks real SigV4 signatures (service
 * `execute-api`), admits each operator only to its own vault's routes (as the stack's resource
 * policy does), turns the request into an API Gateway proxy event with the caller's ARN, and
 * invokes the same handler modules the stack deploys.
 */
export function createGateway(options: GatewayOptions) {
  const byKey = new Map(options.principals.map((p) => [p.accessKeyId, p]));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://gateway');
    const body = await readBody(req);
    let caller: string | undefined;
    const status = await (async () => {
      const route = matchRoute(url.pathname, options.stage);
      if (!route || !(ROUTE_METHODS as readonly string[]).includes(req.method ?? '')) return gatewayError(res, 403, GATEWAY_ERRORS.notSigned);
      const check = await verifySigV4({ method: req.method!, path: url.pathname, query: url.searchParams, headers: req.headers, body }, byKey, options.region, 'execute-api');
      if (!check.ok) return gatewayError(res, 403, GATEWAY_ERRORS[check.reason]);
      caller = check.principal.callerArn;
      if (check.principal.kind !== route.kind) return gatewayError(res, 403, GATEWAY_ERRORS.accessDenied);
      let jobId: string;
      try {
        jobId = decodeURIComponent(route.jobSegment);
      } catch {
        return gatewayError(res, 400, GATEWAY_ERRORS.badJobId);
      }
      const event = proxyEvent(req, url, body, route.kind, jobId, check.principal, options.stage, requestId);
      const result = await options.handlers[route.kind](event);
      return send(res, result, String(req.headers.accept ?? ''));
    })().catch(() => gatewayError(res, 500, GATEWAY_ERRORS.internal));
    options.accessLog?.({ requestId, caller: caller ?? '-', method: req.method, path: url.pathname, status, latencyMs: Date.now() - started });
  };
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  kind: OperatorKind,
  jobId: string,
  principal: SandboxPrincipal,
  stage: string,
  requestId: string,
): APIGatewayProxyEvent {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
  return {
    httpMethod: req.method!,
    resource: routeTemplate(kind),
    path: url.pathname.slice(stage.length + 1),
    pathParameters: { jobId },
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
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

/**
 * Maps a proxy result to HTTP. Like API Gateway with binaryMediaTypes `application/octet-stream`,
 * a base64 body is decoded only when the client accepts that type; otherwise it goes out as text.
 */
function send(res: ServerResponse, result: APIGatewayProxyResult, accept: string): number {
  const binary = result.isBase64Encoded && accept.split(',').some((t) => t.trim().startsWith('application/octet-stream'));
  const payload = binary ? Buffer.from(result.body, 'base64') : Buffer.from(result.body);
  const headers = { ...(result.headers as Record<string, string>), 'Content-Length': String(payload.length) };
  res.writeHead(result.statusCode, headers).end(payload);
  return result.statusCode;
}
