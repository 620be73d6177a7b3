import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { MANIFEST_METADATA, manifestObjectKey } from '../../lib/contract';
import { errorName, rethrow } from '../shared/aws-errors';
import { internalError, nothingStored } from '../shared/errors';
import type { Download } from './download';

/** What the manifest vault holds for one job. */
export interface StoredManifest {
  readonly key: string;
  readonly versionId: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly fetchedAt: string;
  readonly etag?: string;
}

const MISSING = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion']);
const LOST_RACE = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);
const MAX_ATTEMPTS = 4;

export async function headManifest(s3: S3Client, bucket: string, jobId: string): Promise<StoredManifest | undefined> {
  const key = manifestObjectKey(jobId);
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      key,
      versionId: head.VersionId ?? 'null',
      sha256: head.Metadata?.[MANIFEST_METADATA.sha256] ?? '',
      sizeBytes: head.ContentLength ?? 0,
      fetchedAt: head.Metadata?.[MANIFEST_METADATA.fetchedAt] ?? head.LastModified?.toISOString() ?? '',
      etag: head.ETag,
    };
  } catch (err) {
    if (MISSING.has(errorName(err) ?? '')) return undefined;
    rethrow(err);
  }
}

/**
 * Writes a manifest unless the vault already holds the same bytes. Writes are conditional
 * (If-None-Match for the first, If-Match on the ETag seen for later ones), so concurrent
 * brokers of one job leave exactly one new version; a loser re-reads and reports `unchanged`.
 */
export async function storeIfChanged(
  s3: S3Client,
  bucket: string,
  jobId: string,
  download: Download,
  fetchedAt: string,
): Promise<StoredManifest & { unchanged: boolean }> {
  const sha256 = download.sha256.toString('hex');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await headManifest(s3, bucket, jobId);
    if (stored?.sha256 === sha256) return { ...stored, unchanged: true };
    try {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: manifestObjectKey(jobId),
          Body: download.bytes,
          ContentType: 'application/octet-stream',
          ChecksumSHA256: download.sha256.toString('base64'),
          Metadata: {
            [MANIFEST_METADATA.jobId]: jobId,
            [MANIFEST_METADATA.fetchedAt]: fetchedAt,
            [MANIFEST_METADATA.sha256]: sha256,
          },
          ...(stored?.etag ? { IfMatch: stored.etag } : { IfNoneMatch: '*' }),
        }),
      );
      const key = manifestObjectKey(jobId);
      const sizeBytes = download.bytes.length;
      return { key, versionId: put.VersionId ?? 'null', sha256, sizeBytes, fetchedAt, unchanged: false };
    } catch (err) {
      // If-Match against a key that is gone (deleted, or retired behind a delete marker since the HEAD) is S3's 404 NoSuchKey.
      const lost = LOST_RACE.has(errorName(err) ?? '') || (stored?.etag !== undefined && errorName(err) === 'NoSuchKey');
      if (!lost) rethrow(err);
    }
  }
  throw internalError();
}

/** Reads a job's stored manifest and checks its bytes against the SHA-256 recorded at write. */
export async function readManifest(
  s3: S3Client,
  bucket: string,
  jobId: string,
): Promise<StoredManifest & { bytes: Uint8Array }> {
  const key = manifestObjectKey(jobId);
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    const bytes = await got.Body!.transformToByteArray();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== got.Metadata?.[MANIFEST_METADATA.sha256]) throw internalError();
    const fetchedAt = got.Metadata?.[MANIFEST_METADATA.fetchedAt] ?? '';
    return { key, versionId: got.VersionId ?? 'null', sha256, sizeBytes: bytes.length, fetchedAt, bytes };
  } catch (err) {
    if (MISSING.has(errorName(err) ?? '')) throw nothingStored(jobId, 'manifest');
    rethrow(err);
  }
}
