import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MANIFEST_KEY_PREFIX } from '../contract/vault-layout';
import { isAllowed, isKeyUser, keyDeniedMessage, mayUseKey } from './access';
import { listen, readBody } from './http-util';
import type { SandboxPrincipal } from './identities';
import { deleteMarker, listVersions, type ObjectVersion } from './s3-versions';

export type { ObjectVersion } from './s3-versions';
import { authenticate, authorize, type StandInAuth } from './stand-in-auth';

export interface S3StandIn {
  readonly endpoint: string;
  readonly bucket: string;
  /** Versions of each key, oldest first: the vault state the tests inspect. */
  readonly objects: Map<string, ObjectVersion[]>;
  close(): Promise<void>;
}

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-amz-request-id': randomUUID() }).end(body);
}

/** Decodes an `aws-chunked` body (`hex-size[;chunk-signature=…]\r\n data \r\n … 0\r\n trailers`). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString().split(';')[0], 16);
    if (!size) return Buffer.concat(out);
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function objectHeaders(v: ObjectVersion): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'Content-Type': v.contentType,
    'Content-Length': v.body.length,
    ETag: v.etag,
    'Last-Modified': v.lastModified.toUTCString(),
    'x-amz-version-id': v.versionId,
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-checksum-sha256': v.checksumSha256,
  };
  for (const [k, value] of Object.entries(v.metadata)) headers[`x-amz-meta-${k}`] = value;
  return headers;
}

/** The IAM action a request is, as S3 authorises it. */
function actionOf(method: string, key: string, query: URLSearchParams): string {
  if (!key) return query.has('versions') ? 's3:ListBucketVersions' : 's3:ListBucket';
  if (method === 'PUT' && query.has('tagging')) return query.has('versionId') ? 's3:PutObjectVersionTagging' : 's3:PutObjectTagging';
  if (method === 'PUT') return 's3:PutObject';
  if (method === 'DELETE') return query.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject';
  if (query.has('tagging')) return query.has('versionId') ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging';
  return query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject';
}

/** S3 checks a literal payload hash the client declared (not UNSIGNED-PAYLOAD or a streaming mode). */
function payloadHashMismatch(req: IncomingMessage, body: Buffer): boolean {
  const declared = String(req.headers['x-amz-content-sha256'] ?? '');
  return /^[0-9a-f]{64}$/.test(declared) && declared !== createHash('sha256').update(body).digest('hex');
}

/**
 * A stand-in for the S3 REST API, path-style, for the one manifest bucket: SigV4 verified as S3
 * does, each request admitted by the sandbox's access matrix, versioned PutObject with conditional
 * writes (If-None-Match / If-Match), tags and SHA-256 checksum validation, HeadObject, GetObject, GetObjectTagging,
 * DeleteObject (a delete marker) and ListObjectVersions.
 * Enough for the real `@aws-sdk/client-s3` to run the manifest function unchanged.
 */
export async function startS3(bucket: string, auth: StandInAuth): Promise<S3StandIn> {
  const objects = new Map<string, ObjectVersion[]>();
  const scopeOf = (key: string) => (!key ? 'manifestBucket' : key.startsWith(MANIFEST_KEY_PREFIX) ? 'manifestObjects' : undefined);
  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3');
    const [, bucketName, ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const raw = await readBody(req);
    const who = await authenticate(req, raw, auth, 's3');
    if ('failure' in who) return xmlError(res, who.failure.status, who.failure.code, who.failure.message);
    if (payloadHashMismatch(req, raw)) {
      return xmlError(
        res,
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    if (bucketName !== bucket) return xmlError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const operation = actionOf(req.method ?? 'GET', key, url.searchParams).slice('s3:'.length);
    const refusal = authorize(auth, who.principal, {
      service: 's3',
      operation,
      // CloudTrail records a HEAD as HeadObject and a version's deletion as DeleteObject.
      eventName:
        req.method === 'HEAD' && operation === 'GetObject'
          ? 'HeadObject'
          : operation === 'DeleteObjectVersion'
            ? 'DeleteObject'
            : operation,
      scope: scopeOf(key),
      resource: `arn:aws:s3:::${bucket}${key ? `/${key}` : ''}`,
      requestParameters: {
        bucketName: bucket,
        ...(key ? { key } : {}),
        ...(url.searchParams.has('versionId') ? { versionId: url.searchParams.get('versionId')! } : {}),
      },
    });
    if (refusal) return xmlError(res, 403, 'AccessDenied', refusal);
    // A PutObject carrying tags is also authorised as s3:PutObjectTagging.
    if (key && req.method === 'PUT' && req.headers['x-amz-tagging'] !== undefined) {
      const tagRefusal = authorize(auth, who.principal, {
        service: 's3',
        operation: 'PutObjectTagging',
        scope: scopeOf(key),
        resource: `arn:aws:s3:::${bucket}/${key}`,
        requestParameters: { bucketName: bucket, key },
      });
      if (tagRefusal) return xmlError(res, 403, 'AccessDenied', tagRefusal);
      const tagPolicyRefusal = bucketPolicyDenies(who.principal, 'PutObjectTagging', req.headers);
      if (tagPolicyRefusal) return xmlError(res, 403, 'AccessDenied', tagPolicyRefusal);
    }
    const bucketPolicyRefusal = key ? bucketPolicyDenies(who.principal, operation, req.headers) : undefined;
    if (bucketPolicyRefusal) return xmlError(res, 403, 'AccessDenied', bucketPolicyRefusal);
    if (!key && req.method === 'GET' && url.searchParams.has('versions'))
      return listVersions(res, bucket, url.searchParams.get('prefix') ?? '', objects);
    if (!key) return xmlError(res, 501, 'NotImplemented', 'The sandbox emulates object operations and ListObjectVersions only.');
    if (req.method === 'PUT' && url.searchParams.has('tagging'))
      return xmlError(res, 501, 'NotImplemented', 'The sandbox does not emulate PutObjectTagging; tag an object as PutObject writes it.');
    if (req.method === 'PUT') {
      if (!mayUseKey(who.principal, 'manifest', 'kms:GenerateDataKey'))
        return xmlError(res, 403, 'AccessDenied', keyDeniedMessage(who.principal, 'kms:GenerateDataKey'));
      return putObject(req, res, key, raw, objects);
    }
    if (req.method === 'DELETE' && url.searchParams.has('versionId'))
      return deleteVersion(res, key, url.searchParams.get('versionId')!, objects);
    if (req.method === 'DELETE') return deleteObject(res, key, objects);
    if (req.method !== 'GET' && req.method !== 'HEAD') return xmlError(res, 405, 'MethodNotAllowed', 'Not emulated.');
    if (req.method === 'GET' && url.searchParams.has('tagging'))
      return serveTags(res, objects.get(key) ?? [], url.searchParams.get('versionId'));
    serveObject(req, res, objects.get(key) ?? [], url.searchParams.get('versionId'), who.principal);
  });
  return { endpoint: server.url, bucket, objects, close: server.close };
}

/** Object-level actions the bucket policy reserves to the vault key's users. */
const OBJECT_DATA_ACTIONS = ['GetObject', 'GetObjectVersion', 'PutObject', 'DeleteObject'];
/** Actions that would un-retire a manifest or re-tag one, reserved to the manifest function (and the deployer and break-glass, who are not sandbox principals). */
const RETIREMENT_ACTIONS = ['DeleteObjectVersion', 'PutObjectTagging', 'PutObjectVersionTagging'];

/**
 * The vault bucket's policy (lib/manifest-vault.ts), emulated: nobody reads a version by id
 * (past a delete marker), nobody but the manifest function removes a version (a delete marker
 * included) or tags one, only the roles the manifest key names read or write objects, and a write
 * may name no encryption but the vault key (the stand-in knows no key id, so naming one is refused).
 */
function bucketPolicyDenies(principal: SandboxPrincipal, operation: string, headers: IncomingMessage['headers']): string | undefined {
  const sse = headers['x-amz-server-side-encryption'];
  const otherEncryption =
    operation === 'PutObject' &&
    sse !== undefined &&
    (sse !== 'aws:kms' || headers['x-amz-server-side-encryption-aws-kms-key-id'] !== undefined);
  const denied =
    otherEncryption ||
    operation === 'GetObjectVersion' ||
    (OBJECT_DATA_ACTIONS.includes(operation) && !isKeyUser(principal, 'manifest')) ||
    (RETIREMENT_ACTIONS.includes(operation) && principal.name !== 'manifestFunction');
  if (!denied) return undefined;
  return `User: ${principal.callerArn} is not authorized to perform: s3:${operation} with an explicit deny in a resource-based policy`;
}

/** GetObjectTagging of the current version or of one version: no decrypt, the object is not read. */
function serveTags(res: ServerResponse, versions: ObjectVersion[], wanted: string | null): void {
  const version = wanted ? versions.find((v) => v.versionId === wanted) : versions.at(-1);
  if (!version || version.deleteMarker)
    return xmlError(res, 404, wanted ? 'NoSuchVersion' : 'NoSuchKey', 'The specified key does not exist.');
  const xml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const tags = Object.entries(version.tags ?? {})
    .map(([k, v]) => `<Tag><Key>${xml(k)}</Key><Value>${xml(v)}</Value></Tag>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tags}</TagSet></Tagging>`;
  res.writeHead(200, { 'Content-Type': 'application/xml', 'x-amz-version-id': version.versionId }).end(body);
}

/** DeleteObject without a version id on a versioned bucket: a delete marker on top, nothing removed. */
function deleteObject(res: ServerResponse, key: string, objects: Map<string, ObjectVersion[]>): void {
  const marker = deleteMarker();
  objects.set(key, [...(objects.get(key) ?? []), marker]);
  res.writeHead(204, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId }).end();
}

/** DeleteObject with a version id: that version is gone for good (a delete marker removed: the manifest is current again). */
function deleteVersion(res: ServerResponse, key: string, versionId: string, objects: Map<string, ObjectVersion[]>): void {
  objects.set(
    key,
    (objects.get(key) ?? []).filter((v) => v.versionId !== versionId),
  );
  res.writeHead(204, { 'x-amz-version-id': versionId }).end();
}

/** GET or HEAD of one object. Like S3, a missing key is 404 only to a caller allowed s3:ListBucket, else 403. */
function serveObject(
  req: IncomingMessage,
  res: ServerResponse,
  versions: ObjectVersion[],
  wanted: string | null,
  principal: SandboxPrincipal,
): void {
  const current = wanted ? versions.find((v) => v.versionId === wanted) : versions.at(-1);
  if (current?.deleteMarker) {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': current.versionId };
    if (req.method === 'HEAD') return void res.writeHead(404, headers).end();
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
  }
  if (!current) {
    const mayList = isAllowed(principal, 's3:ListBucket', 'manifestBucket');
    if (req.method === 'HEAD') return void res.writeHead(mayList ? 404 : 403).end();
    return mayList
      ? xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.')
      : xmlError(res, 403, 'AccessDenied', 'Access Denied');
  }
  // The body is SSE-KMS encrypted: S3 decrypts it on the caller's behalf, so the key decides (HEAD needs no decrypt).
  if (req.method === 'GET' && !mayUseKey(principal, 'manifest', 'kms:Decrypt'))
    return xmlError(res, 403, 'AccessDenied', keyDeniedMessage(principal, 'kms:Decrypt'));
  res.writeHead(200, objectHeaders(current));
  res.end(req.method === 'GET' ? current.body : undefined);
}

function putObject(req: IncomingMessage, res: ServerResponse, key: string, raw: Buffer, objects: Map<string, ObjectVersion[]>): void {
  const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
  const body = chunked ? decodeAwsChunked(raw) : raw;
  const checksum = createHash('sha256').update(body).digest('base64');
  const claimed = req.headers['x-amz-checksum-sha256'];
  if (claimed !== undefined && claimed !== checksum) {
    return xmlError(res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
  }
  // Decide and write in one synchronous step: Node runs it without interleaving, like S3's atomic conditional write.
  const versions = objects.get(key) ?? [];
  // Behind a delete marker the key does not exist, for conditional writes too.
  const current = versions.at(-1)?.deleteMarker ? undefined : versions.at(-1);
  const ifNoneMatch = req.headers['if-none-match'];
  const ifMatch = req.headers['if-match'];
  // As S3: If-Match on a key that does not exist (or whose latest version is a delete marker) is 404 NoSuchKey, not 412.
  if (ifMatch !== undefined && !current) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
  if ((ifNoneMatch === '*' && current) || (ifMatch !== undefined && current?.etag !== ifMatch)) {
    return xmlError(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  }
  const metadata: Record<string, string> = {};
  for (const [h, v] of Object.entries(req.headers)) if (h.startsWith('x-amz-meta-')) metadata[h.slice(11)] = String(v);
  const version: ObjectVersion = {
    versionId: randomUUID().replace(/-/g, ''),
    body,
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
    metadata,
    checksumSha256: checksum,
    lastModified: new Date(),
    tags: Object.fromEntries(new URLSearchParams(String(req.headers['x-amz-tagging'] ?? ''))),
  };
  objects.set(key, [...versions, version]);
  res.writeHead(200, { ETag: version.etag, 'x-amz-version-id': version.versionId, 'x-amz-checksum-sha256': checksum }).end();
}
