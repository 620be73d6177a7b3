import { STABLE_NAMES } from '../contract/deployment';
import { type OperatorKind } from '../contract/vaults';

/**
 * The guardrails' detection rules: every change to what the SCPs guard and every use of an
 * exemption raises an alert naming who did what, whoever did it, a deploy included (so a
 * compromised pipeline is seen too). Pure data, free of CDK, like alert-rules.ts, which
 * deploys them beside its own; IAM and global STS calls reach EventBridge only in us-east-1, from
 * where the broker's GlobalEventsStack forwards them to the broker region's default bus.
 */
export interface GuardRuleSubjects {
  /** The keys of the broker's topics (alerts, job notifications); the vault keys have VaultKeyChanged. */
  readonly topicKeyArns: string[];
  readonly manifestBucketName: string;
  readonly secretPrefix: string;
  readonly breakGlassRoleArn?: string;
  /** The broker API's id; absent: changes to any REST API of the account are reported. */
  readonly restApiId?: string;
}

/** Same shape as alert-rules.ts's AlertRule (kept apart to keep the two files' owners apart). */
export interface GuardRule {
  readonly id: string;
  readonly title: string;
  readonly pattern: Record<string, unknown>;
  readonly resourcePath: string;
}

const STACK = STABLE_NAMES.stack;
const CLOUDTRAIL = 'AWS API Call via CloudTrail';

/** CloudTrail records of calls to one service (CloudWatch's endpoint is `monitoring`, its events `aws.cloudwatch`). */
export function calls(service: string, eventNames: unknown[], detail: Record<string, unknown> = {}) {
  const source = service === 'monitoring' ? 'cloudwatch' : service;
  return {
    source: [`aws.${source}`],
    'detail-type': [CLOUDTRAIL],
    detail: { eventSource: [`${service}.amazonaws.com`], eventName: eventNames, ...detail },
  };
}

/** Every call that changes something (CloudTrail's `readOnly: false`), whatever its name. */
function changes(service: string, detail: Record<string, unknown>) {
  const source = service === 'monitoring' ? 'cloudwatch' : service;
  return {
    source: [`aws.${source}`],
    'detail-type': [CLOUDTRAIL],
    detail: { eventSource: [`${service}.amazonaws.com`], readOnly: [false], ...detail },
  };
}

/** A broker resource as a request names it: by its generated name (stack prefix) or its ARN. */
const brokerNamed = (arnPart: string) => [{ prefix: STACK }, { wildcard: `arn:*${arnPart}${STACK}*` }];
const prefixes = (names: string[]) => names.map((prefix) => ({ prefix }));

/**
 * Calls by anyone but the broker's own function of this vault: a session of its role whose
 * session name is one of the stack's function names (Lambda names each session after its
 * function), so code run as that role anywhere else (a new function, an instance) is reported.
 */
export function notByBrokerFunction(kinds: OperatorKind[], alsoNot: Record<string, unknown> = {}) {
  return {
    userIdentity: {
      $or: [
        { type: [{ 'anything-but': 'AssumedRole' }] },
        {
          arn: kinds.map((kind) => ({
            'anything-but': { wildcard: `arn:*:sts::*:assumed-role/${STABLE_NAMES.functionRole(kind, '*')}/${STACK}-*` },
          })),
          ...alsoNot,
        },
      ],
    },
  };
}

function roleRules(s: GuardRuleSubjects): GuardRule[] {
  const guardedRoleNames = [STACK, 'cdk-', ...(s.breakGlassRoleArn ? [s.breakGlassRoleArn.split('/').pop()!] : [])];
  const assumptions = ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'];
  const rules: GuardRule[] = [
    {
      id: 'GuardedRoleChanged',
      title: 'A broker, CDK bootstrap or break-glass role was created, re-trusted or given other permissions',
      pattern: calls(
        'iam',
        [
          { prefix: 'Create' },
          { prefix: 'Delete' },
          { prefix: 'Update' },
          { prefix: 'Put' },
          { prefix: 'Attach' },
          { prefix: 'Detach' },
          { prefix: 'Tag' },
          { prefix: 'Untag' },
          'AddRoleToInstanceProfile',
        ],
        {
          requestParameters: { roleName: prefixes(guardedRoleNames) },
        },
      ),
      resourcePath: '$.detail.requestParameters.roleName',
    },
    {
      id: 'DeployRoleAssumed',
      title: 'A CDK bootstrap role of the broker account was assumed (a deploy, or an attempt at one)',
      pattern: calls('sts', assumptions, { requestParameters: { roleArn: [{ wildcard: 'arn:*:iam::*:role/cdk-*' }] } }),
      resourcePath: '$.detail.requestParameters.roleArn',
    },
    {
      id: 'FunctionRolePassed',
      title: "A broker function's role was given to a function: its code runs with the role's Snowball exemption",
      pattern: calls('lambda', [{ prefix: 'CreateFunction' }, { prefix: 'UpdateFunctionConfiguration' }], {
        requestParameters: { role: [{ wildcard: `arn:*:iam::*:role/${STACK}-*Function-*` }] },
      }),
      resourcePath: '$.detail.requestParameters.functionName',
    },
  ];
  if (s.breakGlassRoleArn) {
    rules.push(
      {
        id: 'BreakGlassRoleAssumed',
        title: 'The break-glass role, exempt from the guardrails, was assumed',
        pattern: calls('sts', assumptions, { requestParameters: { roleArn: [s.breakGlassRoleArn] } }),
        resourcePath: '$.detail.requestParameters.roleArn',
      },
      {
        id: 'BreakGlassRoleUsed',
        title: 'The break-glass role, exempt from the guardrails, made a call',
        pattern: {
          'detail-type': [CLOUDTRAIL],
          detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [s.breakGlassRoleArn] } } } },
        },
        resourcePath: '$.detail.eventSource',
      },
    );
  }
  return rules;
}

function codeRules(s: GuardRuleSubjects): GuardRule[] {
  const api = s.restApiId ? { requestParameters: { restApiId: [s.restApiId] } } : {};
  return [
    {
      id: 'BrokerFunctionChanged',
      title: "A broker function's code, configuration, permissions, triggers or URL was changed",
      pattern: changes('lambda', { requestParameters: { functionName: brokerNamed(':function:') } }),
      resourcePath: '$.detail.requestParameters.functionName',
    },
    {
      id: 'BrokerApiChanged',
      title: 'The broker API was changed: its policy, routes, integrations, deployments or stage (data tracing would log secrets)',
      pattern: changes('apigateway', api),
      resourcePath: '$.detail.requestParameters.restApiId',
    },
  ];
}

function blindingRules(): GuardRule[] {
  return [
    {
      id: 'AlertRuleChanged',
      title: 'A broker alert rule was disabled, deleted, rewritten or lost its target',
      pattern: calls('events', ['DisableRule', 'DeleteRule', 'RemoveTargets', 'PutRule', 'PutTargets', 'TagResource', 'UntagResource'], {
        $or: [
          { requestParameters: { name: brokerNamed(':rule/') } },
          { requestParameters: { rule: brokerNamed(':rule/') } },
          { requestParameters: { resourceARN: brokerNamed(':rule/') } },
        ],
      }),
      resourcePath: '$.detail.requestParameters.name',
    },
    {
      id: 'TrailChanged',
      title: 'A trail was stopped, deleted or changed: detection depends on it',
      pattern: calls('cloudtrail', ['StopLogging', 'DeleteTrail', 'PutEventSelectors', 'UpdateTrail', 'PutInsightSelectors']),
      resourcePath: '$.detail.requestParameters.name',
    },
    {
      id: 'AlertTopicChanged',
      title: 'A broker topic was deleted or changed, or one of its subscriptions removed or filtered',
      pattern: calls(
        'sns',
        [
          'DeleteTopic',
          'SetTopicAttributes',
          'Unsubscribe',
          'SetSubscriptionAttributes',
          'AddPermission',
          'RemovePermission',
          'PutDataProtectionPolicy',
        ],
        {
          $or: [
            { requestParameters: { topicArn: [{ wildcard: `arn:*:sns:*:*:${STACK}*` }] } },
            { requestParameters: { subscriptionArn: [{ wildcard: `arn:*:sns:*:*:${STACK}*` }] } },
          ],
        },
      ),
      resourcePath: '$.detail.requestParameters.topicArn',
    },
    {
      id: 'AuditLogChanged',
      title: 'A broker log group (function or API audit log) was deleted, shortened or re-keyed',
      pattern: calls(
        'logs',
        [
          { prefix: 'Delete' },
          'PutRetentionPolicy',
          'PutMetricFilter',
          'AssociateKmsKey',
          'DisassociateKmsKey',
          'PutDataProtectionPolicy',
          'PutSubscriptionFilter',
        ],
        {
          requestParameters: { logGroupName: [{ prefix: STACK }] },
        },
      ),
      resourcePath: '$.detail.requestParameters.logGroupName',
    },
    {
      id: 'AlarmChanged',
      title: 'A broker alarm was deleted, silenced or rewritten',
      pattern: calls('monitoring', ['DisableAlarmActions', 'DeleteAlarms', 'PutMetricAlarm', 'SetAlarmState'], {
        requestParameters: { alarmNames: [{ prefix: STACK }] },
      }),
      resourcePath: '$.detail.requestParameters.alarmNames',
    },
    {
      id: 'AlertQueueChanged',
      title: 'A broker queue (undelivered alerts, job notifications) was purged, deleted or changed',
      pattern: calls('sqs', ['PurgeQueue', 'DeleteQueue', 'SetQueueAttributes', 'AddPermission', 'RemovePermission'], {
        requestParameters: { queueUrl: [{ wildcard: `*/${STACK}*` }] },
      }),
      resourcePath: '$.detail.requestParameters.queueUrl',
    },
  ];
}

/** Every change to a key that is worth an alert: its policy, state, grants, tags, aliases, replicas. */
export const KEY_CHANGES = [
  'PutKeyPolicy',
  'ScheduleKeyDeletion',
  'DisableKey',
  'DisableKeyRotation',
  'CreateGrant',
  'CreateAlias',
  'DeleteAlias',
  'UpdateAlias',
  'TagResource',
  'UntagResource',
  'ReplicateKey',
  'UpdatePrimaryRegion',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
];

function vaultRules(s: GuardRuleSubjects): GuardRule[] {
  const topicKeys: GuardRule[] = s.topicKeyArns.length
    ? [
        {
          id: 'TopicKeyChanged',
          title: 'The key of the alerts or job-notification topic was changed: a disabled key silences every alert',
          pattern: calls('kms', KEY_CHANGES, { resources: { ARN: s.topicKeyArns } }),
          resourcePath: '$.detail.requestParameters.keyId',
        },
      ]
    : [];
  return [
    ...topicKeys,
    {
      id: 'ManifestBucketChanged',
      title: "The manifest vault bucket's versioning, lifecycle, replication, ownership or logging was changed",
      pattern: calls(
        's3',
        [
          'PutBucketVersioning',
          'PutBucketLifecycle',
          'DeleteBucketLifecycle',
          'PutBucketReplication',
          'DeleteBucketReplication',
          'PutBucketOwnershipControls',
          'PutBucketAcl',
          'PutBucketLogging',
          'PutBucketNotification',
          'DeleteBucket',
        ],
        {
          requestParameters: { bucketName: [s.manifestBucketName] },
        },
      ),
      resourcePath: '$.detail.requestParameters.bucketName',
    },
    {
      id: 'ManifestVersionDeleted',
      title: "A manifest version was deleted for good (seen where a trail logs the bucket's write data events)",
      pattern: calls('s3', ['DeleteObject', 'DeleteObjects'], {
        requestParameters: { bucketName: [s.manifestBucketName], versionId: [{ exists: true }] },
      }),
      resourcePath: '$.detail.requestParameters.key',
    },
    {
      id: 'UnlockCodeSecretChanged',
      // Its creation is UnlockCodeSecretCreatedAroundBroker, its restore or rotation
      // UnlockCodeSecretGuardChanged (policies/alert-rules.ts): one alert per change.
      title: 'A secret under the unlock-code prefix was re-keyed, replicated or re-tagged, not by the broker',
      pattern: calls('secretsmanager', ['UpdateSecret', 'ReplicateSecretToRegions', 'TagResource', 'UntagResource'], {
        $or: [
          { requestParameters: { name: [{ prefix: s.secretPrefix }] } },
          {
            requestParameters: {
              secretId: [{ prefix: s.secretPrefix }, { wildcard: `arn:*:secretsmanager:*:*:secret:${s.secretPrefix}*` }],
            },
          },
        ],
        ...notByBrokerFunction(['unlockCode']),
      }),
      resourcePath: '$.detail.requestParameters.secretId',
    },
  ];
}

/** Every guardrail detection rule. IAM and STS events among them arrive from us-east-1 (GlobalEventsStack). */
export function guardRules(s: GuardRuleSubjects): GuardRule[] {
  return [...roleRules(s), ...codeRules(s), ...blindingRules(), ...vaultRules(s)];
}

/** What the us-east-1 forwarder sends to the broker region: the IAM and STS calls the rules above watch. */
export function globalEventsPattern() {
  return { source: ['aws.iam', 'aws.sts'], 'detail-type': [CLOUDTRAIL] };
}
