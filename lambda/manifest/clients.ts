import { S3Client } from '@aws-sdk/client-s3';
import { SnowballClient } from '@aws-sdk/client-snowball';
import type { ManifestClients } from './capture';

/** Built once per execution environment; endpoints follow the standard AWS_ENDPOINT_URL_* settings. */
export const clients: ManifestClients = {
  snowball: new SnowballClient({}),
  s3: new S3Client({}),
};
