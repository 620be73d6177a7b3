import { STABLE_NAMES } from '../contract/deployment';
import { guardRules, KEY_CHANGES, notByBrokerFunction } from './guardrails-alert-rules';

/**
 * The detection rules: which CloudTrail records around the broker raise an alert, and what the
 * alert says. Pure data, free of CDK: the Detection construct deploys them as EventBridge rules
 * and the sandbox evaluates the very same patterns and renders the very same alert.
 */
export interface AlertSubjects {
  readonly manifestFunctionRoleArn: string;
  readonly unlockCodeFunctionRoleArn: string;
  readonly unlockCodeOperatorRoleArn: string;
  readonly vaultKeyArns: string[];
  readonly manifestBucketName: string;
  readonly secretPrefix: string;
  /** Reported on every assumption. */
  readonly breakGlassRoleArn?: string;
  /** With S3 data events for the vault bucket, direct manifest reads are reported too. */
  readonly manifestReads?: boolean;
  /** Every key of the broker (vault, alerts, job notifications), for the guardrail rules. Default: the vault keys. */
  readonly brokerKeyArns?: string[];
  /** The broker API's id, for the guardrail rules. Default: every REST API of the account. */
  readonly restApiId?: string;
}

export interface AlertRule {
  /** Construct id and alert name, e.g. `UnlockCodeFetchedAroundBroker`. */
  readonly id: string;
  /** The alert's first line, for a person. */
  readonly title: string;
  readonly pattern: Record<string, unknown>;
  /** Where in the CloudTrail record the job, secret, key, bucket or role it concerns is. */
  readonly resourcePath: string;
  /** What this alert reports besides ALERT_FIELDS, by JSON path. */
  readonly fields?: Readonly<Record<string, string>>;
}

/** JSON paths of what every alert reports: who, what, when, from where, and the outcome. */
export const ALERT_FIELDS = {
  who: '$.detail.userIdentity.arn',
  action: '$.detail.eventName',
  service: '$.detail.eventSource',
  at: '$.detail.eventTime',
  sourceIp: '$.detail.sourceIPAddress',
  outcome: '$.detail.errorCode',
  account: '$.account',
  region: '$.region',
} as const;

const CLOUDTRAIL = 'AWS API Call via CloudTrail';

/**
 * Reads by anyone but the unlock-code operator role and the unlock-code function itself (a
 * session named after one of the stack's functions: the role's code run elsewhere is reported).
 */
function notByOperatorNorFunction(operatorRoleArn: string) {
  return notByBrokerFunction(['unlockCode'], { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [operatorRoleArn] }] } } });
}

function calls(service: string, eventNames: string[], detail: Record<string, unknown> = {}) {
  return {
    source: [`aws.${service}`],
    'detail-type': [CLOUDTRAIL],
    detail: { eventSource: [`${service}.amazonaws.com`], eventName: eventNames, ...detail },
  };
}

/** A secret id as callers pass it: the name, or the ARN. */
function vaultSecretIds(prefix: string) {
  return [{ prefix }, { wildcard: `arn:*:secretsmanager:*:*:secret:${prefix}*` }];
}

/** Secret reads: GetSecretValue of a vault secret, and BatchGetSecretValue naming one or selecting by filters (any secret). */
const SECRET_READS = ['GetSecretValue', 'BatchGetSecretValue'];
function vaultSecretReads(prefix: string) {
  return {
    $or: [
      { requestParameters: { secretId: vaultSecretIds(prefix) } },
      { requestParameters: { secretIdList: vaultSecretIds(prefix) } },
      { eventName: ['BatchGetSecretValue'], requestParameters: { secretIdList: [{ exists: false }] } },
    ],
  };
}

/**
 * Manifest reads: GetObject and SelectObjectContent of the vault bucket, and copies out of it
 * (CopyObject and UploadPartCopy are authorised as s3:GetObject on the source; CloudTrail records
 * them under the destination bucket, naming the source in x-amz-copy-source and in resources).
 */
const MANIFEST_READS = ['GetObject', 'SelectObjectContent', 'CopyObject', 'UploadPartCopy'];
function manifestReads(bucket: string) {
  return {
    $or: [
      { eventName: ['GetObject', 'SelectObjectContent'], requestParameters: { bucketName: [bucket] } },
      { requestParameters: { 'x-amz-copy-source': [{ prefix: `${bucket}/` }, { prefix: `/${bucket}/` }] } },
      { resources: { ARN: [{ wildcard: `arn:*:s3:::${bucket}/*` }] }, eventName: ['CopyObject', 'UploadPartCopy'] },
    ],
  };
}

function sourceRules(s: AlertSubjects): AlertRule[] {
  return [
    {
      id: 'ManifestFetchedAroundBroker',
      title: 'A Snowball manifest was requested from Snowball by someone other than the broker',
      pattern: calls('snowball', ['GetJobManifest'], notByBrokerFunction(['manifest'])),
      resourcePath: '$.detail.requestParameters.jobId',
    },
    {
      id: 'UnlockCodeFetchedAroundBroker',
      title: 'A Snowball unlock code was requested from Snowball by someone other than the broker',
      pattern: calls('snowball', ['GetJobUnlockCode'], notByBrokerFunction(['unlockCode'])),
      resourcePath: '$.detail.requestParameters.jobId',
    },
    {
      id: 'UnlockCodeReadOutsideBroker',
      title: 'An unlock-code secret was read by someone other than the unlock-code operator or function',
      pattern: calls('secretsmanager', SECRET_READS, {
        ...vaultSecretReads(s.secretPrefix),
        ...notByOperatorNorFunction(s.unlockCodeOperatorRoleArn),
      }),
      resourcePath: '$.detail.requestParameters.secretId',
    },
  ];
}

function vaultGuardRules(s: AlertSubjects): AlertRule[] {
  return [
    {
      id: 'VaultKeyChanged',
      title: "A vault key's policy, state, grants, tags or alias was changed",
      pattern: calls('kms', KEY_CHANGES, {
        $or: [{ resources: { ARN: s.vaultKeyArns } }, { requestParameters: { aliasName: [{ prefix: STABLE_NAMES.keyAliasPrefix() }] } }],
      }),
      resourcePath: '$.detail.requestParameters.keyId',
    },
    {
      id: 'ManifestBucketGuardChanged',
      title: "The manifest vault bucket's policy, encryption or public access block was changed",
      pattern: calls(
        's3',
        [
          'PutBucketPolicy',
          'DeleteBucketPolicy',
          'PutBucketEncryption',
          'DeleteBucketEncryption',
          'PutBucketPublicAccessBlock',
          'DeleteBucketPublicAccessBlock',
        ],
        {
          requestParameters: { bucketName: [s.manifestBucketName] },
        },
      ),
      resourcePath: '$.detail.requestParameters.bucketName',
    },
    {
      id: 'UnlockCodeSecretGuardChanged',
      title: "An unlock-code secret's resource policy was changed, or the secret deleted, restored or rotated, not by the broker",
      pattern: calls(
        'secretsmanager',
        ['PutResourcePolicy', 'DeleteResourcePolicy', 'DeleteSecret', 'RestoreSecret', 'RotateSecret', 'CancelRotateSecret'],
        {
          requestParameters: { secretId: vaultSecretIds(s.secretPrefix) },
          ...notByBrokerFunction(['unlockCode']),
        },
      ),
      resourcePath: '$.detail.requestParameters.secretId',
    },
  ];
}

function optionalRules(s: AlertSubjects): AlertRule[] {
  const rules: AlertRule[] = [];
  if (s.manifestReads) {
    rules.push({
      id: 'ManifestReadDirectly',
      // Every manifest read is made from the bucket as the reader (the API reads as the operator): each one is announced.
      title: 'A manifest was read from the vault bucket',
      pattern: calls('s3', MANIFEST_READS, { ...manifestReads(s.manifestBucketName), ...notByBrokerFunction(['manifest']) }),
      resourcePath: '$.detail.requestParameters.key',
      fields: READER_FIELDS,
    });
  }
  return rules;
}

/** Who read, beyond the session ARN: the role that issued the session and the source identity it carries. */
const READER_FIELDS = {
  sessionIssuer: '$.detail.userIdentity.sessionContext.sessionIssuer.arn',
  sourceIdentity: '$.detail.userIdentity.sessionContext.sourceIdentity',
} as const;

/**
 * Every read is announced: with the rules above, which report reads by anyone else, these report
 * the reads by the broker's own roles (the operator's, whose reads API Gateway makes with the
 * operator's own session, and any attempt by a function, which the keys refuse), so each read of
 * a vault, by anyone, raises exactly one alert naming the secret (the job), the reader's session,
 * its issuer and source identity, the source IP and the time. CloudTrail records no value.
 */
function readRules(s: AlertSubjects): AlertRule[] {
  const rules: AlertRule[] = [
    {
      id: 'UnlockCodeRead',
      title: 'An unlock code was read from its vault',
      pattern: calls('secretsmanager', SECRET_READS, {
        ...vaultSecretReads(s.secretPrefix),
        userIdentity: { sessionContext: { sessionIssuer: { arn: [s.unlockCodeOperatorRoleArn, s.unlockCodeFunctionRoleArn] } } },
      }),
      resourcePath: '$.detail.requestParameters.secretId',
      fields: READER_FIELDS,
    },
  ];
  if (s.manifestReads) {
    rules.push({
      id: 'ManifestReadByBroker',
      title: 'A manifest read from its vault was attempted by the manifest function, which only writes',
      pattern: calls('s3', MANIFEST_READS, {
        ...manifestReads(s.manifestBucketName),
        userIdentity: { sessionContext: { sessionIssuer: { arn: [s.manifestFunctionRoleArn] } } },
      }),
      resourcePath: '$.detail.requestParameters.key',
      fields: READER_FIELDS,
    });
  }
  return rules;
}

/**
 * A secret created under the vault's prefix by anyone but the unlock-code function is a squat:
 * the function refuses to adopt it (409 ForeignSecret, nothing stored), and this alert names the
 * job (the secret) the moment it is planted, refused or not.
 */
function integrityRules(s: AlertSubjects): AlertRule[] {
  return [
    {
      id: 'UnlockCodeSecretCreatedAroundBroker',
      title: 'A secret was created under the unlock-code vault prefix by someone other than the broker; the broker will not adopt it',
      pattern: calls('secretsmanager', ['CreateSecret'], {
        requestParameters: { name: [{ prefix: s.secretPrefix }] },
        ...notByBrokerFunction(['unlockCode']),
      }),
      resourcePath: '$.detail.requestParameters.name',
    },
  ];
}

/** Every detection rule for a broker deployment. */
export function alertRules(s: AlertSubjects): AlertRule[] {
  const guards = guardRules({ ...s, topicKeyArns: (s.brokerKeyArns ?? []).filter((arn) => !s.vaultKeyArns.includes(arn)) });
  return [...sourceRules(s), ...vaultGuardRules(s), ...optionalRules(s), ...readRules(s), ...integrityRules(s), ...guards];
}

/** The input transformer's paths for one rule's alert. */
export function alertPaths(rule: AlertRule): Record<string, string> {
  return { ...ALERT_FIELDS, ...rule.fields, resource: rule.resourcePath };
}

/**
 * The alert as EventBridge's input transformer writes it: a JSON object whose values are quoted
 * placeholders, so a field missing from a record leaves an empty string, never invalid JSON.
 */
export function alertTemplate(rule: AlertRule): string {
  const fields = Object.keys(alertPaths(rule)).map((name) => `"${name}":"<${name}>"`);
  return `{"alert":"${rule.id}","title":"${rule.title}",${fields.join(',')}}`;
}
