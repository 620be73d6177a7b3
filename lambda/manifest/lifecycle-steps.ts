import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { MANIFEST_KEY_PREFIX, manifestObjectKey } from '../../contract/vault-layout';
import { rethrow } from '../shared/aws-errors';
import { mapLimit, type Holding } from '../shared/job-steps';
import { auditRetirement } from '../shared/log';
import type { VaultLifecycle } from '../shared/reconcile-pass';
import { brokerManifest, type ManifestClients } from './capture';
import type { ManifestLifecycleSettings } from './settings';
import { currentManifest } from './s3-objects';

/** What the manifest vault holds for one job, as the fleet status shows it. */
export interface ManifestHolding {
  readonly holding: Holding;
  readonly versionId?: string;
  readonly fetchedAt?: string;
  readonly sha256?: string;
  readonly sizeBytes?: number;
}

const JOB_OF_KEY = new RegExp(`^${MANIFEST_KEY_PREFIX}([^/]+)/manifest\\.bin$`);

/**
 * Live or retired, for every job with anything in the vault, from the bucket's version listing
 * (every page): a job whose latest entry is a delete marker is retired. One job: its own prefix only.
 */
export async function manifestHoldings(s3: S3Client, bucket: string, jobIds: readonly string[]): Promise<Map<string, Holding>> {
  const prefix = jobIds.length === 1 ? manifestObjectKey(jobIds[0]) : MANIFEST_KEY_PREFIX;
  const found = new Map<string, Holding>();
  let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, ...marker })).catch(rethrow);
    for (const v of page.Versions ?? []) if (v.IsLatest) found.set(JOB_OF_KEY.exec(v.Key ?? '')?.[1] ?? '', 'live');
    for (const d of page.DeleteMarkers ?? []) if (d.IsLatest) found.set(JOB_OF_KEY.exec(d.Key ?? '')?.[1] ?? '', 'retired');
    if (!page.IsTruncated) break;
    marker = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
  found.delete('');
  return found;
}

/** The holdings, with the stored version's details (its listing entry and tags, a few at a time) for live ones. */
export async function manifestDetails(s3: S3Client, bucket: string, jobIds: readonly string[]): Promise<Map<string, ManifestHolding>> {
  const holdings = await manifestHoldings(s3, bucket, jobIds);
  const details = await mapLimit(jobIds, 16, async (jobId): Promise<ManifestHolding> => {
    const holding = holdings.get(jobId) ?? 'none';
    if (holding !== 'live') return { holding };
    const stored = await currentManifest(s3, bucket, jobId);
    if (!stored) return { holding: 'none' };
    return { holding, versionId: stored.versionId, fetchedAt: stored.fetchedAt, sha256: stored.sha256, sizeBytes: stored.sizeBytes };
  });
  return new Map(jobIds.map((jobId, i) => [jobId, details[i]]));
}

/** The manifest function's half of the lifecycle. Retiring adds a delete marker; the versions expire by lifecycle rule. */
export function manifestLifecycle(clients: ManifestClients, settings: ManifestLifecycleSettings): VaultLifecycle {
  return {
    vault: 'manifest',
    holdings: (jobIds) => manifestHoldings(clients.s3, settings.bucket, jobIds),
    capture: async (jobId) => {
      await brokerManifest(clients, settings, jobId);
    },
    retire: async (jobId, reason) => {
      await clients.s3.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: manifestObjectKey(jobId) })).catch(rethrow);
      auditRetirement('retire-manifest', jobId, reason);
    },
  };
}
