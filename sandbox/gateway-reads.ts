import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ERROR_STATUS, MANIFEST_HEADERS, type ErrorCode } from '../contract/api';
import { MANIFEST_METADATA, manifestObjectKey, unlockCodeSecretName } from '../contract/vault-layout';
import { type OperatorKind } from '../contract/vaults';
import { isJobId, isUnlockCode, READ_HEADERS, readFailureCode, readFailureMessage } from '../policies/vault-reads';
import type { SandboxPrincipal } from './identities';

/** Where the stand-ins of the two vaults listen, and what they hold. */
export interface VaultReadEndpoints {
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly secretsEndpoint: string;
  readonly secretPrefix: string;
}

type Read = (jobId: string, caller: SandboxPrincipal) => Promise<APIGatewayProxyResult>;
export type VaultReads = Record<OperatorKind, Read>;

function failed(kind: OperatorKind, code: ErrorCode, jobId: string): APIGatewayProxyResult {
  return {
    statusCode: ERROR_STATUS[code],
    headers: { 'Content-Type': 'application/json', ...READ_HEADERS },
    body: JSON.stringify({ error: { code, message: readFailureMessage(kind, code, jobId) } }),
  };
}

interface AwsFailure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK client config of one read: the stand-in's endpoint and the verified caller's own session. */
function asCaller(endpoint: string, region: string, caller: SandboxPrincipal) {
  const { accessKeyId, secretAccessKey, sessionToken } = caller;
  return { endpoint, region, credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 };
}

/**
 * The sandbox's version of the API's read integrations (lib/vault-read-integrations.ts): the
 * gateway reads the vault at its stand-in AS the verified caller, with that caller's own session,
 * so the stand-ins' access matrix and key emulation decide, and their trail records the caller.
 * Answers map exactly as the deployed mapping templates map them (policies/vault-reads.ts).
 */
export function vaultReads(endpoints: VaultReadEndpoints, region: string): VaultReads {
  return {
    unlockCode: async (jobId, caller) => {
      if (!isJobId(jobId)) return failed('unlockCode', 'InvalidJobId', jobId);
      const client = new SecretsManagerClient(asCaller(endpoints.secretsEndpoint, region, caller));
      try {
        const got = await client.send(new GetSecretValueCommand({ SecretId: unlockCodeSecretName(endpoints.secretPrefix, jobId) }));
        const unlockCode = got.SecretString ?? '';
        if (!isUnlockCode(unlockCode)) return failed('unlockCode', 'InternalError', jobId);
        return {
          statusCode: 200,
          headers: { 'Content-Type': 'application/json', ...READ_HEADERS },
          body: JSON.stringify({ jobId, unlockCode }),
        };
      } catch (err) {
        return failed('unlockCode', readFailureCode('unlockCode', { errorType: (err as AwsFailure).name }), jobId);
      } finally {
        client.destroy();
      }
    },
    manifest: async (jobId, caller) => {
      if (!isJobId(jobId)) return failed('manifest', 'InvalidJobId', jobId);
      const client = new S3Client({ ...asCaller(endpoints.s3Endpoint, region, caller), forcePathStyle: true });
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: endpoints.bucket, Key: manifestObjectKey(jobId) }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        const headers = {
          'Content-Type': 'application/octet-stream',
          ...READ_HEADERS,
          [MANIFEST_HEADERS.sha256]: got.Metadata?.[MANIFEST_METADATA.sha256] ?? '',
          [MANIFEST_HEADERS.versionId]: got.VersionId ?? '',
        };
        return { statusCode: 200, headers, body: bytes.toString('base64'), isBase64Encoded: true };
      } catch (err) {
        return failed('manifest', readFailureCode('manifest', { status: (err as AwsFailure).$metadata?.httpStatusCode }), jobId);
      } finally {
        client.destroy();
      }
    },
  };
}
