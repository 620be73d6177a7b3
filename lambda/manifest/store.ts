import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MANIFEST_METADATA, manifestObjectKey } from '../../lib/contract';
import { errorName, rethrow } from '../shared/aws-errors';
import { internalError, retiredDuringCapture } from '../shared/errors';
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
      if (!LOST_RACE.has(errorName(err) ?? '')) rethrow(err);
    }
  }
  throw internalError();
}

/** The ids of the job's delete markers (its retirements), and whether the latest entry is one. */
export async function retirements(s3: S3Client, bucket: string, jobId: string): Promise<{ markers: Set<string>; retiredNow: boolean }> {
  const key = manifestObjectKey(jobId);
  const markers = new Set<string>();
  let retiredNow = false;
  let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...marker })).catch(rethrow);
    for (const d of page.DeleteMarkers ?? []) {
      if (d.Key !== key) continue;
      markers.add(d.VersionId ?? 'null');
      if (d.IsLatest) retiredNow = true;
    }
    if (!page.IsTruncated) return { markers, retiredNow };
    marker = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}

/**
 * After a write: if the job was retired while this capture ran (a delete marker that was not
 * there at its start), the retirement stands. A marker is put back on top if the write landed
 * above it, and the capture reports that nothing was restored.
 */
export async function keepRetirement(s3: S3Client, bucket: string, jobId: string, before: Set<string>): Promise<void> {
  const after = await retirements(s3, bucket, jobId);
  if ([...after.markers].every((id) => before.has(id))) return;
  if (!after.retiredNow) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: manifestObjectKey(jobId) })).catch(rethrow);
  throw retiredDuringCapture(jobId);
}
