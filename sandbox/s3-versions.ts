import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** One stored version of an object. */
export interface ObjectVersion {
  readonly versionId: string;
  readonly body: Buffer;
  readonly etag: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly checksumSha256: string;
  readonly lastModified: Date;
  /** The object's tags (PutObject's `x-amz-tagging`). */
  readonly tags?: Record<string, string>;
  /** A delete marker, not an object: the key reads as missing while it is the latest. */
  readonly deleteMarker?: boolean;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A delete marker: what DeleteObject on a versioned bucket adds (S3 keeps the versions beneath it). */
export function deleteMarker(): ObjectVersion {
  return {
    versionId: randomUUID().replace(/-/g, ''),
    body: Buffer.alloc(0),
    etag: '',
    contentType: '',
    metadata: {},
    checksumSha256: '',
    lastModified: new Date(),
    deleteMarker: true,
  };
}

/** ListObjectVersions (`GET /bucket?versions&prefix=`): every version and delete marker, newest first per key. */
export function listVersions(res: ServerResponse, bucket: string, prefix: string, objects: Map<string, ObjectVersion[]>): void {
  const entries: string[] = [];
  for (const key of [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
    const versions = objects.get(key)!;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i];
      const common = `<Key>${xml(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${i === versions.length - 1}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
      entries.push(
        v.deleteMarker
          ? `<DeleteMarker>${common}</DeleteMarker>`
          : `<Version>${common}<ETag>${xml(v.etag)}</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`,
      );
    }
  }
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name>` +
    `<Prefix>${xml(prefix)}</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${entries.join('')}</ListVersionsResult>`;
  res.writeHead(200, { 'Content-Type': 'application/xml' }).end(body);
}
