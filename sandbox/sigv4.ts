import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A request as received, before any routing. */
export interface ReceivedRequest {
  readonly method: string;
  /** The raw path as sent, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Temporary credentials, as an assumed role's are: key, secret, session token and expiry. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Why a request was not authenticated; each stand-in answers it in its own service's words. */
export type SignatureFailure = 'notSigned' | 'unknownKey' | 'invalidToken' | 'expiredToken' | 'invalidSignature';

export type SignatureCheck<T> = { ok: true; principal: T } | { ok: false; failure: SignatureFailure };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value ?? '');
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: ReceivedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The session token must be exactly the one issued with the signing key, and not expired. */
function tokenFailure(req: ReceivedRequest, principal: Credentials): SignatureFailure | undefined {
  const sent = header(req, 'x-amz-security-token');
  if (principal.sessionToken === undefined) return sent === undefined ? undefined : 'invalidToken';
  if (sent === undefined || !sameSecret(sent, principal.sessionToken)) return 'invalidToken';
  if (principal.expiration && principal.expiration.getTime() <= Date.now()) return 'expiredToken';
  return undefined;
}

async function expectedSignature(
  req: ReceivedRequest,
  principal: Credentials,
  scope: { region: string; service: string },
  signedHeaders: string[],
  date: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = header(req, name)!;
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(req.query.keys())) {
    const all = req.query.getAll(key);
    query[key] = all.length === 1 ? all[0] : all;
  }
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: {
      accessKeyId: principal.accessKeyId,
      secretAccessKey: principal.secretAccessKey,
      sessionToken: headers['x-amz-security-token'],
    },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
    // S3 signs the path as sent; every other service signs it URI-encoded once more.
    uriEscapePath: scope.service !== 's3',
  });
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: headers.host,
    path: req.path,
    query,
    headers,
    body: req.body,
  });
  const signed = await signer.sign(request, { signingDate: date, signableHeaders: new Set(signedHeaders) });
  return /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
}

/**
 * Whether a declared `x-amz-content-sha256` disagrees with the body. The signer signs the hash the
 * client declares, so a request signed for one body could otherwise be answered for another.
 * Services other than S3 compute the payload hash from the body itself, so any declared value
 * but the body's own hash fails their signature check; S3 accepts UNSIGNED-PAYLOAD and its
 * streaming modes, and answers a wrong literal hash with its own error (the S3 stand-in does).
 */
function payloadHashDisagrees(req: ReceivedRequest, service: string): boolean {
  const declared = header(req, 'x-amz-content-sha256');
  if (declared === undefined || service === 's3') return false;
  return declared !== createHash('sha256').update(req.body).digest('hex');
}

/**
 * Verifies a SigV4 `Authorization` header the way AWS does: the key must be known, its session
 * token sent and current, the scope must name this region and `service`, the time must be within
 * 15 minutes, `host` must be signed, and the signature recomputed over the signed headers, path,
 * query and body must match; a declared payload hash must be the body's (S3's is the S3
 * stand-in's to check, with S3's own error).
 */
export async function verifySigV4<T extends Credentials>(
  req: ReceivedRequest,
  principals: ReadonlyMap<string, T>,
  region: string,
  service: string,
): Promise<SignatureCheck<T>> {
  const authorization = header(req, 'authorization');
  if (!authorization) return { ok: false, failure: 'notSigned' };
  const m = AUTHORIZATION.exec(authorization);
  if (!m) return { ok: false, failure: 'invalidSignature' };
  const principal = principals.get(m[1]);
  if (!principal) return { ok: false, failure: 'unknownKey' };
  const token = tokenFailure(req, principal);
  if (token) return { ok: false, failure: token };
  const date = parseAmzDate(header(req, 'x-amz-date'));
  const signedHeaders = m[5].split(';');
  const scopeOk = m[3] === region && m[4] === service && signedHeaders.includes('host');
  const timeOk =
    date !== undefined && Math.abs(Date.now() - date.getTime()) <= MAX_SKEW_MS && date.toISOString().replace(/-/g, '').startsWith(m[2]);
  if (!scopeOk || !timeOk || signedHeaders.some((name) => header(req, name) === undefined) || payloadHashDisagrees(req, service)) {
    return { ok: false, failure: 'invalidSignature' };
  }
  const expected = await expectedSignature(req, principal, { region, service }, signedHeaders, date);
  return sameSecret(expected, m[6]) ? { ok: true, principal } : { ok: false, failure: 'invalidSignature' };
}
