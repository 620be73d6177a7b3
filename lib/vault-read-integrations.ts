import {
  AwsIntegration,
  ContentHandling,
  PassthroughBehavior,
  type IntegrationResponse,
  type MethodResponse,
} from 'aws-cdk-lib/aws-apigateway';
import { MANIFEST_HEADERS } from '../contract/api';
import { manifestObjectKey } from '../contract/vault-layout';
import { type OperatorKind } from '../contract/vaults';
import {
  manifestFailureTemplate,
  manifestRequestTemplate,
  READ_HEADERS,
  unlockCodeFailureTemplate,
  unlockCodeRequestTemplate,
  unlockCodeSuccessTemplate,
} from '../policies/vault-reads';

/** Where the reads go: the vault bucket and the secrets' name prefix. */
export interface VaultReadTargets {
  readonly bucketName: string;
  readonly secretPrefix: string;
}

const quoted = (value: string) => `'${value}'`;
const JSON_TYPE = 'application/json';

/** Static headers of every read answer (and the JSON type of an error). */
function staticHeaders(contentType: string): Record<string, string> {
  return {
    'method.response.header.Content-Type': quoted(contentType),
    ...Object.fromEntries(Object.entries(READ_HEADERS).map(([name, value]) => [`method.response.header.${name}`, quoted(value)])),
  };
}

/** The statuses a read can answer with: the mapping templates override the integration's status. */
const READ_STATUSES = ['200', '400', '403', '404', '429', '500'];

/** Headers a read answer carries besides the common ones. */
const EXTRA_HEADERS: Record<OperatorKind, string[]> = { manifest: Object.values(MANIFEST_HEADERS), unlockCode: [] };

/** Method responses of a read route, declaring every header its integration responses set. */
export function readMethodResponses(kind: OperatorKind): MethodResponse[] {
  const headers = ['Content-Type', ...Object.keys(READ_HEADERS), ...EXTRA_HEADERS[kind]];
  const responseParameters = Object.fromEntries(headers.map((h) => [`method.response.header.${h}`, true]));
  return READ_STATUSES.map((statusCode) => ({ statusCode, responseParameters }));
}

function failure(selectionPattern: string, template: string): IntegrationResponse {
  return {
    statusCode: '500',
    selectionPattern,
    // The vault answers JSON (Secrets Manager) or XML (S3); as text, the template can run on it.
    contentHandling: ContentHandling.CONVERT_TO_TEXT,
    responseParameters: staticHeaders(JSON_TYPE),
    responseTemplates: { [JSON_TYPE]: template },
  };
}

/**
 * `GET /jobs/{jobId}/unlock-code`: Secrets Manager GetSecretValue with the caller's own
 * credentials. The answer keeps the broker's shape (`{jobId, unlockCode}`, Cache-Control
 * no-store) and error codes; a path that is not a job id never names a secret.
 */
function unlockCodeRead(targets: VaultReadTargets): AwsIntegration {
  return new AwsIntegration({
    service: 'secretsmanager',
    action: 'GetSecretValue',
    integrationHttpMethod: 'POST',
    options: {
      credentialsPassthrough: true,
      passthroughBehavior: PassthroughBehavior.NEVER,
      contentHandling: ContentHandling.CONVERT_TO_TEXT,
      requestParameters: { 'integration.request.header.Content-Type': quoted('application/x-amz-json-1.1') },
      requestTemplates: { [JSON_TYPE]: unlockCodeRequestTemplate(targets.secretPrefix) },
      integrationResponses: [
        {
          statusCode: '200',
          contentHandling: ContentHandling.CONVERT_TO_TEXT,
          responseParameters: staticHeaders(JSON_TYPE),
          responseTemplates: { [JSON_TYPE]: unlockCodeSuccessTemplate() },
        },
        failure('[45]\\d{2}', unlockCodeFailureTemplate()),
      ],
    },
  });
}

/**
 * `GET /jobs/{jobId}/manifest`: S3 GetObject of the job's current version with the caller's own
 * credentials; the bytes as they are, with the SHA-256 the manifest function recorded in the
 * object's metadata (`x-amz-meta-sha256`) and the version id in headers.
 */
function manifestRead(targets: VaultReadTargets): AwsIntegration {
  return new AwsIntegration({
    service: 's3',
    path: `${targets.bucketName}/${manifestObjectKey('{jobId}')}`,
    integrationHttpMethod: 'GET',
    options: {
      credentialsPassthrough: true,
      passthroughBehavior: PassthroughBehavior.NEVER,
      // binaryMediaTypes is */*: as text, the (empty) request meets the mapping template that guards the job id.
      contentHandling: ContentHandling.CONVERT_TO_TEXT,
      requestParameters: { 'integration.request.path.jobId': 'method.request.path.jobId' },
      requestTemplates: { [JSON_TYPE]: manifestRequestTemplate() },
      integrationResponses: [
        {
          statusCode: '200',
          responseParameters: {
            ...staticHeaders('application/octet-stream'),
            [`method.response.header.${MANIFEST_HEADERS.sha256}`]: 'integration.response.header.x-amz-meta-sha256',
            [`method.response.header.${MANIFEST_HEADERS.versionId}`]: 'integration.response.header.x-amz-version-id',
          },
        },
        failure('404', manifestFailureTemplate(404)),
        failure('403', manifestFailureTemplate(403)),
        failure('503', manifestFailureTemplate(503)),
        failure('(400|401|405|409|412|416|500|501)', manifestFailureTemplate(undefined)),
      ],
    },
  });
}

const READS: Record<OperatorKind, (targets: VaultReadTargets) => AwsIntegration> = { manifest: manifestRead, unlockCode: unlockCodeRead };

/** The read integration of one vault. */
export function vaultReadIntegration(kind: OperatorKind, targets: VaultReadTargets): AwsIntegration {
  return READS[kind](targets);
}
