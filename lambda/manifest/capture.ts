import type { S3Client } from '@aws-sdk/client-s3';
import { GetJobManifestCommand, type SnowballClient } from '@aws-sdk/client-snowball';
import { manifestDownloadFailed } from '../shared/errors';
import { assertCapturable, callSnowball } from '../shared/snowball';
import { downloadManifest, type DownloadPolicy } from './download';
import { keepRetirement, retirements, storeIfChanged } from './s3-objects';

export interface ManifestClients {
  readonly snowball: SnowballClient;
  readonly s3: S3Client;
}

export interface ManifestSettings {
  readonly bucket: string;
  readonly download: DownloadPolicy;
}

/** The write-path answer of `POST /jobs/{jobId}/manifest`. */
export interface BrokeredManifest {
  readonly jobId: string;
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly fetchedAt: string;
  readonly unchanged: boolean;
}

/** Fetches a job's manifest from Snowball and stores it in the vault unless it is already there. */
export async function brokerManifest(
  clients: ManifestClients,
  settings: ManifestSettings,
  jobId: string,
  now: () => Date = () => new Date(),
): Promise<BrokeredManifest> {
  const { snowball, s3 } = clients;
  // What retirement had done before this capture started: a later one must not be undone by it.
  const before = await retirements(s3, settings.bucket, jobId);
  await assertCapturable(snowball, jobId, now());
  const answer = await callSnowball(snowball, jobId, () => snowball.send(new GetJobManifestCommand({ JobId: jobId })));
  if (!answer.ManifestURI) throw manifestDownloadFailed('Snowball returned no URL');
  const download = await downloadManifest(answer.ManifestURI, settings.download);
  const stored = await storeIfChanged(s3, settings.bucket, jobId, download, now().toISOString());
  if (!stored.unchanged) await keepRetirement(s3, settings.bucket, jobId, before.markers);
  return {
    jobId,
    bucket: settings.bucket,
    key: stored.key,
    versionId: stored.versionId,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    fetchedAt: stored.fetchedAt,
    unchanged: stored.unchanged,
  };
}
