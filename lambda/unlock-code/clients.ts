import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SnowballClient } from '@aws-sdk/client-snowball';
import type { UnlockCodeClients } from './capture';

/** Built once per execution environment; endpoints follow the standard AWS_ENDPOINT_URL_* settings. */
export const clients: UnlockCodeClients = {
  snowball: new SnowballClient({}),
  secrets: new SecretsManagerClient({}),
};
