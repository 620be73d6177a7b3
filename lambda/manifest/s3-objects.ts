import {
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MANIFEST_METADATA, manifestObjectKey } from '../../contract/vault-layout';
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

/**
 * The job's current manifest as the vault records it, without reading the object: the latest
 * entry of its version listing (a delete marker: nothing current) and that version's tags, where
 * the function wrote its SHA-256 and fetch time. The function holds no s3:GetObject at all.
 */
export async function currentManifest(s3: S3Client, bucket: string, jobId: string): Promise<StoredManifest | undefined> {
  const key = manifestObjectKey(jobId);
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 1 })).catch(rethrow);
  const latest = (page.Versions ?? []).find((v) => v.Key === key && v.IsLatest);
  if (!latest || (page.DeleteMarkers ?? []).some((d) => d.Key === key && d.IsLatest)) return undefined;
  const versionId = latest.VersionId ?? 'null';
  let tags: Record<string, string>;
  try {
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    tags = Object.fromEntries((got.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (err) {
    // Gone between the listing and the tags (retired, replaced): nothing current to compare with.
    if (MISSING.has(errorName(err) ?? '')) return undefined;
    rethrow(err);
  }
  return {
    key,
    versionId,
    sha256: tags[MANIFEST_METADATA.sha256] ?? '',
    sizeBytes: latest.Size ?? 0,
    fetchedAt: tags[MANIFEST_METADATA.fetchedAt] ?? latest.LastModified?.toISOString() ?? '',
    etag: latest.ETag,
  };
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
    const stored = await currentManifest(s3, bucket, jobId);
    if (stored?.sha256 === sha256) return { ...stored, unchanged: true };
    try {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: manifestObjectKey(jobId),
          Body: download.bytes,
          ContentType: 'application/octet-stream',
          ChecksumSHA256: download.sha256.toString('base64'),
          // Metadata for the reader (the API's x-manifest-sha256 header); tags for the function's own comparisons.
          Metadata: {
            [MANIFEST_METADATA.jobId]: jobId,
            [MANIFEST_METADATA.fetchedAt]: fetchedAt,
            [MANIFEST_METADATA.sha256]: sha256,
          },
          Tagging: new URLSearchParams({ [MANIFEST_METADATA.sha256]: sha256, [MANIFEST_METADATA.fetchedAt]: fetchedAt }).toString(),
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
