import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { timingSafeEqual } from 'node:crypto';
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

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type SignatureCheck<T> = { ok: true; principal: T } | { ok: false; reason: 'notSigned' | 'invalidSignature' };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value ?? '');
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

/**
 * Verifies a SigV4 `Authorization` header the way API Gateway does for `AWS_IAM` methods: the
 * key must be known, the scope must name this region and `service`, the time must be within 15
 * minutes, and the signature recomputed over the signed headers, path, query and body must match.
 */
export async function verifySigV4<T extends Credentials>(
  req: ReceivedRequest,
  principals: ReadonlyMap<string, T>,
  region: string,
  service: string,
): Promise<SignatureCheck<T>> {
  const header = req.headers.authorization;
  if (!header) return { ok: false, reason: 'notSigned' };
  const m = AUTHORIZATION.exec(header);
  const principal = m ? principals.get(m[1]) : undefined;
  const date = parseAmzDate(req.headers['x-amz-date'] as string | undefined);
  if (!m || !principal || !date || m[3] !== region || m[4] !== service) return { ok: false, reason: 'invalidSignature' };
  if (Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS || !date.toISOString().replace(/-/g, '').startsWith(m[2])) {
    return { ok: false, reason: 'invalidSignature' };
  }
  const signedHeaders = m[5].split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return { ok: false, reason: 'invalidSignature' };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(req.query.keys())) {
    const all = req.query.getAll(key);
    query[key] = all.length === 1 ? all[0] : all;
  }
  const signer = new SignatureV4({
    service,
    region,
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey, sessionToken: headers['x-amz-security-token'] },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const request = new HttpRequest({ method: req.method, protocol: 'http:', hostname: headers.host ?? '', path: req.path, query, headers, body: req.body });
  const signed = await signer.sign(request, { signingDate: date });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const same = expected.length === m[6].length && timingSafeEqual(Buffer.from(expected), Buffer.from(m[6]));
  return same ? { ok: true, principal } : { ok: false, reason: 'invalidSignature' };
}
