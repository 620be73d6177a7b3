import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DescribeJobCommand, GetJobManifestCommand, InvalidJobStateException, InvalidResourceException } from '@aws-sdk/client-snowball';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { DEFAULTS, ENV } from '../../contract/deployment';
import { manifestObjectKey } from '../../contract/vault-layout';
import { handler } from '../../lambda/manifest/api-handler';
import { apiEvent, errorOf, JOB_ID, MANIFEST_CALLER, UNLOCK_CALLER } from '../helpers/events';
import { captureLogs } from '../helpers/log-capture';
import { mockSnowball } from '../helpers/snowball-mock';
import { ManifestServer } from '../helpers/manifest-server';

const logs = captureLogs();
const snowball = mockSnowball();
const s3 = mockClient(S3Client);
const server = new ManifestServer();
const MAX_BYTES = DEFAULTS.manifestMaxBytes;
const BUCKET = 'manifest-vault-bucket';
const MANIFEST = Buffer.from('encrypted-manifest-bytes-7f3a9c1e');
const sha = (b: Buffer) => createHash('sha256').update(b).digest();
const awsError = (name: string, status: number, fault: 'client' | 'server' = 'client') =>
  new S3ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened` });
let presignedUrl: string;

const post = (jobId = JOB_ID, caller = MANIFEST_CALLER) => handler(apiEvent('manifest', 'POST', jobId, caller));
const get = (jobId = JOB_ID, caller = MANIFEST_CALLER) => handler(apiEvent('manifest', 'GET', jobId, caller));

/** A stored manifest as the function sees it: its listing entry and the tags it wrote (never the object). */
function stored(body: Buffer, etag = '"etag-1"') {
  s3.on(ListObjectVersionsCommand).resolves(listed(body, etag));
  s3.on(GetObjectTaggingCommand).resolves(tagsOf(body));
}
const listed = (body: Buffer, etag = '"etag-1"') => ({
  Versions: [{ Key: manifestObjectKey(JOB_ID), VersionId: 'v-existing', IsLatest: true, ETag: etag, Size: body.length }],
  DeleteMarkers: [],
});
const tagsOf = (body: Buffer) => ({
  TagSet: [
    { Key: 'sha256', Value: sha(body).toString('hex') },
    { Key: 'fetched-at', Value: '2026-11-01T00:00:00.000Z' },
  ],
});

beforeAll(async () => {
  const origin = await server.start();
  presignedUrl = `${origin}/${BUCKET}/manifest.bin?X-Amz-Signature=deadbeefcafe0123456789presigned`;
  Object.assign(process.env, {
    [ENV.manifestBucket]: BUCKET,
    [ENV.manifestExtraOrigin]: origin,
    [ENV.manifestDownloadTimeoutMs]: '500',
  });
});
afterAll(() => server.stop());

beforeEach(() => {
  snowball.reset();
  s3.reset();
  server.fault = 'none';
  server.body = MANIFEST;
  snowball
    .on(DescribeJobCommand)
    .resolves({ JobMetadata: { JobState: 'WithCustomer', CreationDate: new Date(Date.now() - 10 * 86_400_000) } });
  snowball.on(GetJobManifestCommand).resolves({ ManifestURI: presignedUrl });
  s3.on(GetObjectCommand).rejects(new Error('the manifest function must never read a manifest'));
  s3.on(HeadObjectCommand).rejects(new Error('the manifest function holds no s3:GetObject, which HeadObject needs'));
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], DeleteMarkers: [] });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v-new' });
});

describe('POST /jobs/{jobId}/manifest', () => {
  it('stores a first manifest create-only, with its SHA-256 as checksum and metadata, and answers 201', async () => {
    const result = await post();
    expect(result.statusCode).toBe(201);
    const body = JSON.parse(result.body);
    expect(body).toEqual({
      jobId: JOB_ID,
      bucket: BUCKET,
      key: manifestObjectKey(JOB_ID),
      versionId: 'v-new',
      sha256: sha(MANIFEST).toString('hex'),
      sizeBytes: MANIFEST.length,
      fetchedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      unchanged: false,
    });
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: manifestObjectKey(JOB_ID),
      ChecksumSHA256: sha(MANIFEST).toString('base64'),
      IfNoneMatch: '*',
      Metadata: { 'job-id': JOB_ID, sha256: sha(MANIFEST).toString('hex'), 'fetched-at': body.fetchedAt },
    });
    expect(Object.fromEntries(new URLSearchParams(put.Tagging))).toEqual({
      sha256: sha(MANIFEST).toString('hex'),
      'fetched-at': body.fetchedAt,
    });
    expect(Buffer.from(put.Body as Uint8Array)).toEqual(MANIFEST);
  });

  it('writes nothing when the stored manifest has the same bytes, and answers 200 unchanged', async () => {
    stored(MANIFEST);
    const result = await post();
    expect(result.statusCode).toBe(200);
    expect(s3.commandCalls(GetObjectTaggingCommand)[0].args[0].input).toEqual({
      Bucket: BUCKET,
      Key: manifestObjectKey(JOB_ID),
      VersionId: 'v-existing',
    });
    expect(JSON.parse(result.body)).toMatchObject({ unchanged: true, versionId: 'v-existing', fetchedAt: '2026-11-01T00:00:00.000Z' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('replaces a different stored manifest only if it is still the one it read (If-Match)', async () => {
    stored(Buffer.from('older manifest'), '"etag-old"');
    const result = await post();
    expect(result.statusCode).toBe(201);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ IfMatch: '"etag-old"' });
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.IfNoneMatch).toBeUndefined();
  });

  it('reports unchanged when a concurrent broker stored the same bytes first', async () => {
    // The retirement check's listing, then an empty vault, then the concurrent broker's version.
    s3.on(ListObjectVersionsCommand).resolvesOnce({}).resolvesOnce({}).resolves(listed(MANIFEST));
    s3.on(GetObjectTaggingCommand).resolves(tagsOf(MANIFEST));
    s3.on(PutObjectCommand).rejects(awsError('PreconditionFailed', 412));
    const result = await post();
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ unchanged: true, versionId: 'v-existing' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('treats If-Match meeting a key retired since its listing (S3: 404 NoSuchKey) as a lost race, not a failure', async () => {
    const older = Buffer.from('older manifest');
    const retired = { DeleteMarkers: [{ Key: manifestObjectKey(JOB_ID), VersionId: 'dm-1', IsLatest: true }] };
    // The retirement check before the capture, the version it meant to replace, then the retirement that landed in between.
    s3.on(ListObjectVersionsCommand).resolvesOnce({}).resolvesOnce(listed(older, '"etag-old"')).resolves(retired);
    s3.on(GetObjectTaggingCommand).resolves(tagsOf(older));
    s3.on(PutObjectCommand, { IfMatch: '"etag-old"' } as never).rejects(awsError('NoSuchKey', 404));
    const result = await post();
    expect(result.statusCode).not.toBe(500);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.IfMatch ?? p.IfNoneMatch)).toEqual(['"etag-old"', '*']);
  });

  it('answers 404 for a job Snowball does not know', async () => {
    snowball.on(GetJobManifestCommand).rejects(new InvalidResourceException({ message: 'no job', $metadata: {} }));
    const result = await post();
    expect(result.statusCode).toBe(404);
    expect(errorOf(result)).toMatchObject({ code: 'JobNotFound' });
    expect(errorOf(result).message).toContain(JOB_ID);
  });

  it('refuses a job that is not WithCustomer with 409 naming its state', async () => {
    snowball.on(GetJobManifestCommand).rejects(new InvalidJobStateException({ message: 'bad state', $metadata: {} }));
    snowball.on(DescribeJobCommand).resolves({ JobMetadata: { JobId: JOB_ID, JobState: 'InTransitToCustomer' } });
    const result = await post();
    expect(result.statusCode).toBe(409);
    expect(errorOf(result)).toMatchObject({ code: 'JobNotWithCustomer' });
    expect(errorOf(result).message).toContain('InTransitToCustomer');
  });

  it('answers 429 when Snowball throttles, and 503 when it fails', async () => {
    snowball
      .on(GetJobManifestCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    expect((await post()).statusCode).toBe(429);
    snowball
      .on(GetJobManifestCommand)
      .rejects(Object.assign(new Error('boom'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } }));
    expect((await post()).statusCode).toBe(503);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it.each([
    ['an expired or refused URL', 'status403' as const, 'ManifestDownloadFailed'],
    ['a download cut short', 'truncate' as const, 'ManifestTruncated'],
    ['a download slower than the timeout', 'slow' as const, 'ManifestDownloadFailed'],
    ['a redirect away from S3', 'redirect' as const, 'ManifestDownloadFailed'],
  ])('answers 502 and stores nothing for %s', async (_what, fault, code) => {
    server.fault = fault;
    const result = await post();
    expect(result.statusCode).toBe(502);
    expect(errorOf(result).code).toBe(code);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it.each([
    ['a declared length over the cap', 'none' as const],
    ['an undeclared length that grows over the cap', 'noLength' as const],
  ])('answers 502 ManifestTooLarge and stores nothing for %s', async (_what, fault) => {
    server.fault = fault;
    server.body = Buffer.alloc(MAX_BYTES + 1, 7);
    const result = await post();
    expect(result.statusCode).toBe(502);
    expect(errorOf(result).code).toBe('ManifestTooLarge');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it.each([
    'http://bucket.s3.amazonaws.com/manifest?sig=1',
    'https://evil.example.com/bucket.s3.amazonaws.com/manifest',
    'https://s3.amazonaws.com.evil.example.com/manifest',
    'https://bucket.s3.amazonaws.com:8443/manifest',
    'https://user:pw@bucket.s3.amazonaws.com/manifest',
  ])('never fetches a manifest URL that is not https on an S3 host: %s', async (url) => {
    snowball.on(GetJobManifestCommand).resolves({ ManifestURI: url });
    const before = server.requests;
    const result = await post();
    expect(result.statusCode).toBe(502);
    expect(server.requests).toBe(before);
    expect(result.body).not.toContain(url);
  });

  it.each([
    ['lower-case prefix', 'jid123e4567-e89b-12d3-a456-426655440000'],
    ['upper-case UUID', 'JID123E4567-E89B-12D3-A456-426655440000'],
    ['a cluster id', 'CID123e4567-e89b-12d3-a456-426655440000'],
    ['path traversal', '../../etc/passwd'],
    ['an oversized id', `JID${'a'.repeat(5000)}`],
    ['an empty id', ''],
  ])('answers 400 without calling AWS for %s', async (_what, jobId) => {
    const result = await post(jobId);
    expect(result.statusCode).toBe(400);
    expect(errorOf(result).code).toBe('InvalidJobId');
    expect(snowball.calls()).toHaveLength(0);
  });

  it('lets the caller the event names decide nothing: the other operator, a forged ARN or none get what the operator gets', async () => {
    // Anyone allowed lambda:InvokeFunction writes that field; API Gateway's AWS_IAM and resource policy decide who reaches a route.
    stored(MANIFEST);
    const answers = [];
    for (const caller of [MANIFEST_CALLER, UNLOCK_CALLER, 'arn:aws:sts::123456789012:assumed-role/Anything/forged', '']) {
      const result = await post(JOB_ID, caller);
      answers.push([result.statusCode, JSON.parse(result.body).unchanged]);
    }
    expect(answers).toEqual(Array(4).fill([200, true]));
    expect(logs.text()).not.toContain('forged');
  });

  it('never reads the caller the event names, not even for its log', async () => {
    stored(MANIFEST);
    const event = apiEvent('manifest', 'POST', JOB_ID, MANIFEST_CALLER);
    const requestContext = Object.defineProperty({ ...event.requestContext }, 'identity', {
      get: () => {
        throw new Error('the function read requestContext.identity');
      },
    });
    const result = await handler({ ...event, requestContext } as typeof event);
    expect(result.statusCode).toBe(200);
    expect(logs.text()).not.toContain('the function read');
  });

  it('answers a bare 500 when S3 refuses the write, without internals', async () => {
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403));
    const result = await post();
    expect(result.statusCode).toBe(500);
    expect(errorOf(result)).toEqual({ code: 'InternalError', message: expect.not.stringContaining('AccessDenied') });
  });
});

describe('retirement and expiry stand against a capture', () => {
  const KEY = `manifests/${JOB_ID}/manifest.bin`;
  const marker = (VersionId: string, IsLatest: boolean) => ({ Key: KEY, VersionId, IsLatest });

  it('puts the delete marker back and answers 409 RetiredDuringCapture when the job was retired while the capture ran', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ DeleteMarkers: [] })
      .resolves({ DeleteMarkers: [marker('m-new', false)] });
    s3.on(DeleteObjectCommand).resolves({ DeleteMarker: true });
    const result = await post();
    expect(result.statusCode).toBe(409);
    expect(errorOf(result).code).toBe('RetiredDuringCapture');
    expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({ Bucket: BUCKET, Key: KEY });
  });

  it('restores a manifest that was already retired when the capture started (the job is WithCustomer again)', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ DeleteMarkers: [marker('m-old', true)] });
    const result = await post();
    expect(result.statusCode).toBe(201);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it.each([
    ['Complete', 10, 'JobNotWithCustomer'],
    ['Cancelled', 10, 'JobNotWithCustomer'],
    ['WithCustomer', 361, 'CredentialsExpired'],
  ])('refuses a job that is %s (%i days old) with 409 %s, fetching and storing nothing', async (state, days, code) => {
    snowball.on(DescribeJobCommand).resolves({ JobMetadata: { JobState: state, CreationDate: new Date(Date.now() - days * 86_400_000) } });
    const result = await post();
    expect(result.statusCode).toBe(409);
    expect(errorOf(result).code).toBe(code);
    expect(snowball.commandCalls(GetJobManifestCommand as never)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('GET /jobs/{jobId}/manifest reaches no function', () => {
  it('answers a forged invoke naming the manifest operator with no bytes: the function reads nothing', async () => {
    s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(MANIFEST) } } as never);
    const result = await get();
    expect(result.statusCode).toBe(405);
    expect(result.isBase64Encoded).toBeFalsy();
    expect(result.body).not.toContain(MANIFEST.toString('base64'));
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('log hygiene of the manifest function', () => {
  it('never logged the presigned URL or the manifest bytes', () => {
    const text = logs.text();
    expect(text).toContain('manifest-brokered');
    expect(text).not.toContain('X-Amz-Signature');
    expect(text).not.toContain('deadbeefcafe0123456789presigned');
    expect(text).not.toContain(MANIFEST.toString());
    expect(text).not.toContain(MANIFEST.toString('base64'));
  });
});
