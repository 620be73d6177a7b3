import { STABLE_NAMES } from '../../contract/deployment';
import { functionLogicalIdPrefix } from '../../contract/vaults';
import { unlockCodeSecretPolicy } from '../../lambda/unlock-code/secret-policy';
import { account, arn, decide, identityPoliciesOf, PEOPLE, region, resource, role, synthesizedScps, type Call } from './guardrails-world';

/**
 * The threat model of the guardrails, as a test: an account administrator (AdministratorAccess in
 * the broker account) tries every path around the split it has, on every broker resource; each is
 * open without the guardrails and closed, explicitly, under the synthesized SCPs of both modes. The
 * controls show what the guardrails leave: deployers, the CloudFormation execution role, the
 * functions and break-glass keep what they need, and shared mode leaves unrelated resources alone.
 */
const SCPS = { shared: synthesizedScps('shared'), sealed: synthesizedScps('sealed') };
const ALLOWED = 'Allowed';
const EXPLICIT = 'ExplicitlyDenied';
const TAGGED = { 'aws:ResourceTag/snowball-credential-broker': 'guarded' };
const trustsAccount = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
};

const fn = {
  manifest: resource('AWS::Lambda::Function', functionLogicalIdPrefix('manifest', 'api')),
  unlockCode: resource('AWS::Lambda::Function', functionLogicalIdPrefix('unlockCode', 'api')),
  reconcile: resource('AWS::Lambda::Function', functionLogicalIdPrefix('unlockCode', 'schedule')),
  notification: resource('AWS::Lambda::Function', functionLogicalIdPrefix('manifest', 'notification')),
};
const roles = {
  manifestFunction: resource('AWS::IAM::Role', 'ManifestFunctionRole'),
  unlockCodeFunction: resource('AWS::IAM::Role', 'UnlockCodeFunctionRole'),
  manifestOperator: resource('AWS::IAM::Role', 'OperatorsManifestOperator'),
  unlockCodeOperator: resource('AWS::IAM::Role', 'OperatorsUnlockCodeOperator'),
};
const keys = {
  manifest: resource('AWS::KMS::Key', 'ManifestVaultKey'),
  unlockCode: resource('AWS::KMS::Key', 'UnlockCodeVaultKey'),
  alerts: resource('AWS::KMS::Key', 'DetectionAlertTopicKey'),
};
const bucket = resource('AWS::S3::Bucket', 'ManifestVaultBucket');
const bucketPolicy = resource('AWS::S3::BucketPolicy', 'ManifestVaultBucketPolicy').props.PolicyDocument;
const alertTopic = resource('AWS::SNS::Topic', 'DetectionAlertTopic');
const rule = resource('AWS::Events::Rule', 'DetectionUnlockCodeFetchedAroundBroker');
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';
const secret = arn('secretsmanager', `secret:snowball/unlock-code/${JOB}-AbCdEf`);
const secretPolicy = unlockCodeSecretPolicy({ readerRoleArn: roles.unlockCodeOperator.arn, brokerRoleArn: roles.unlockCodeFunction.arn });
const restApi = `arn:aws:apigateway:${region}::/restapis/a1b2c3d4e5`;
const bootstrap = (name: string) => role(`cdk-hnb659fds-${name}-${account}-${region}`);
const keyCall = (action: string, key: { arn: string; props: any }, context: Record<string, string | string[]> = {}): Call => ({
  action,
  resource: key.arn,
  resourcePolicy: key.props.KeyPolicy,
  context: { ...TAGGED, ...context },
});
const trust = (r: { props: any }) => r.props.AssumeRolePolicyDocument;

/** Every path an account administrator has around the split: [class, what, the call]. */
const PATHS: [string, string, Call][] = [
  ['source', 'takes the manifest from Snowball', { action: 'snowball:GetJobManifest', resource: '*' }],
  ['source', 'takes the unlock code from Snowball', { action: 'snowball:GetJobUnlockCode', resource: '*' }],
  [
    'code as a function role',
    'passes the manifest function role to a new function',
    { action: 'iam:PassRole', resource: roles.manifestFunction.arn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
  ],
  [
    'code as a function role',
    'passes the unlock-code function role to an EC2 instance',
    { action: 'iam:PassRole', resource: roles.unlockCodeFunction.arn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
  ],
  ['code as a function role', 'replaces the manifest function code', { action: 'lambda:UpdateFunctionCode', resource: fn.manifest.arn }],
  [
    'code as a function role',
    'adds a layer or NODE_OPTIONS to the unlock-code function',
    { action: 'lambda:UpdateFunctionConfiguration', resource: fn.unlockCode.arn },
  ],
  ['code as a function role', 'replaces a reconcile function code', { action: 'lambda:UpdateFunctionCode', resource: fn.reconcile.arn }],
  [
    'code as a function role',
    'creates a function under a broker name',
    { action: 'lambda:CreateFunction', resource: arn('lambda', `function:${STABLE_NAMES.stack}-Evil`) },
  ],
  [
    'code as a function role',
    'feeds a broker function from its own queue',
    { action: 'lambda:CreateEventSourceMapping', resource: '*', context: { 'lambda:FunctionArn': fn.notification.arn } },
  ],
  [
    'code as a function role',
    'opens a function URL on the unlock-code function',
    { action: 'lambda:CreateFunctionUrlConfig', resource: fn.unlockCode.arn },
  ],
  [
    'code as a function role',
    'publishes a version and repoints an alias',
    { action: 'lambda:UpdateAlias', resource: `${fn.manifest.arn}:live` },
  ],
  [
    'forging the deployer',
    'creates a role with an exec-role-like name',
    { action: 'iam:CreateRole', resource: bootstrap('cfn-exec-role').replace(region, 'evil') },
  ],
  [
    'forging the deployer',
    'creates a function role for another region',
    { action: 'iam:CreateRole', resource: role(STABLE_NAMES.functionRole('unlockCode', 'us-east-2')) },
  ],
  [
    'forging the deployer',
    're-trusts the CloudFormation execution role',
    { action: 'iam:UpdateAssumeRolePolicy', resource: bootstrap('cfn-exec-role') },
  ],
  ['forging the deployer', 'adds a policy to the deploy role', { action: 'iam:PutRolePolicy', resource: bootstrap('deploy-role') }],
  [
    'forging the deployer',
    'assumes the deploy role',
    { action: 'sts:AssumeRole', resource: bootstrap('deploy-role'), resourcePolicy: trustsAccount },
  ],
  [
    'forging the deployer',
    'assumes the file-publishing role',
    { action: 'sts:AssumeRole', resource: bootstrap('file-publishing-role'), resourcePolicy: trustsAccount },
  ],
  [
    'forging the deployer',
    'passes the execution role to CloudFormation',
    { action: 'iam:PassRole', resource: bootstrap('cfn-exec-role'), context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
  ],
  ['forging the deployer', 're-trusts a configured deployer role', { action: 'iam:UpdateAssumeRolePolicy', resource: PEOPLE.deployer }],
  [
    'forging the deployer',
    'assumes a configured deployer role that trusts the account',
    { action: 'sts:AssumeRole', resource: PEOPLE.deployer, resourcePolicy: trustsAccount },
  ],
  [
    'forging the deployer',
    'updates the broker stack itself',
    { action: 'cloudformation:UpdateStack', resource: arn('cloudformation', `stack/${STABLE_NAMES.stack}/1a2b3c`) },
  ],
  [
    'forging the deployer',
    'poisons a Lambda asset in the CDK asset bucket',
    { action: 's3:PutObject', resource: `arn:aws:s3:::cdk-hnb659fds-assets-${account}-${region}/abc123.zip` },
  ],
  [
    'function roles',
    're-trusts the manifest function role',
    { action: 'iam:UpdateAssumeRolePolicy', resource: roles.manifestFunction.arn },
  ],
  [
    'function roles',
    'attaches a policy to the unlock-code function role',
    { action: 'iam:AttachRolePolicy', resource: roles.unlockCodeFunction.arn },
  ],
  [
    'operator roles',
    'assumes the manifest operator role',
    { action: 'sts:AssumeRole', resource: roles.manifestOperator.arn, resourcePolicy: trustsAccount },
  ],
  [
    'operator roles',
    'assumes the unlock-code operator role',
    { action: 'sts:AssumeRole', resource: roles.unlockCodeOperator.arn, resourcePolicy: trustsAccount },
  ],
  [
    'operator roles',
    're-trusts the manifest operator role',
    { action: 'iam:UpdateAssumeRolePolicy', resource: roles.manifestOperator.arn },
  ],
  ['operator roles', "re-trusts an operator's configured principal", { action: 'iam:UpdateAssumeRolePolicy', resource: PEOPLE.fieldTeam }],
  [
    'operator roles',
    'adds a policy to the unlock-code operator role',
    { action: 'iam:PutRolePolicy', resource: roles.unlockCodeOperator.arn },
  ],
  ['break-glass', 'assumes the break-glass role', { action: 'sts:AssumeRole', resource: PEOPLE.breakGlass, resourcePolicy: trustsAccount }],
  ['break-glass', 're-trusts the break-glass role', { action: 'iam:UpdateAssumeRolePolicy', resource: PEOPLE.breakGlass }],
  ['blinding detection', 'disables an alert rule', { action: 'events:DisableRule', resource: rule.arn }],
  ['blinding detection', 'deletes an alert rule', { action: 'events:DeleteRule', resource: rule.arn }],
  ['blinding detection', "removes an alert rule's target", { action: 'events:RemoveTargets', resource: rule.arn }],
  ['blinding detection', "rewrites an alert rule's pattern", { action: 'events:PutRule', resource: rule.arn }],
  ['blinding detection', 'stops the trail', { action: 'cloudtrail:StopLogging', resource: arn('cloudtrail', 'trail/org-trail') }],
  ['blinding detection', 'deletes the trail', { action: 'cloudtrail:DeleteTrail', resource: arn('cloudtrail', 'trail/org-trail') }],
  [
    'blinding detection',
    'drops management events from the trail',
    { action: 'cloudtrail:PutEventSelectors', resource: arn('cloudtrail', 'trail/org-trail') },
  ],
  ['blinding detection', 'updates the trail', { action: 'cloudtrail:UpdateTrail', resource: arn('cloudtrail', 'trail/org-trail') }],
  ['blinding detection', 'deletes the alerts topic', { action: 'sns:DeleteTopic', resource: alertTopic.arn }],
  ['blinding detection', "changes the alerts topic's policy", { action: 'sns:SetTopicAttributes', resource: alertTopic.arn }],
  ['blinding detection', 'unsubscribes the security team', { action: 'sns:Unsubscribe', resource: alertTopic.arn }],
  ['blinding detection', "filters away the security team's alerts", { action: 'sns:SetSubscriptionAttributes', resource: alertTopic.arn }],
  ['blinding detection', 'disables the alerts key', keyCall('kms:DisableKey', keys.alerts)],
  ['blinding detection', "rewrites the alerts key's policy", keyCall('kms:PutKeyPolicy', keys.alerts)],
  [
    'blinding detection',
    'deletes a function log group',
    { action: 'logs:DeleteLogGroup', resource: resource('AWS::Logs::LogGroup', `${functionLogicalIdPrefix('unlockCode', 'api')}Logs`).arn },
  ],
  [
    'blinding detection',
    'shortens the API access log retention',
    { action: 'logs:PutRetentionPolicy', resource: resource('AWS::Logs::LogGroup', 'BrokerApiAccessLogs').arn },
  ],
  [
    'blinding detection',
    'disables alarm actions',
    { action: 'cloudwatch:DisableAlarmActions', resource: resource('AWS::CloudWatch::Alarm', 'AlarmsUndeliveredAlerts').arn },
  ],
  [
    'blinding detection',
    'deletes an alarm',
    { action: 'cloudwatch:DeleteAlarms', resource: arn('cloudwatch', `alarm:${STABLE_NAMES.stack}-AlarmsAccessDeniedBurst-A1B2`) },
  ],
  [
    'blinding detection',
    'purges the undelivered alerts',
    { action: 'sqs:PurgeQueue', resource: resource('AWS::SQS::Queue', 'DetectionUndeliveredAlerts').arn },
  ],
  [
    'blinding detection',
    'removes the guard tag from a key',
    keyCall('kms:UntagResource', keys.manifest, { 'aws:TagKeys': ['snowball-credential-broker'] }),
  ],
  ['vault keys', 'schedules the manifest key for deletion', keyCall('kms:ScheduleKeyDeletion', keys.manifest)],
  ['vault keys', "rewrites the unlock-code key's policy", keyCall('kms:PutKeyPolicy', keys.unlockCode)],
  [
    'vault keys',
    'repoints the vault alias',
    keyCall('kms:DeleteAlias', { arn: arn('kms', `${STABLE_NAMES.keyAlias('manifest')}`), props: keys.manifest.props }),
  ],
  ['the API', "replaces the API's resource policy", { action: 'apigateway:UpdateRestApiPolicy', resource: restApi, context: TAGGED }],
  [
    'the API',
    'points a route at its own backend',
    { action: 'apigateway:PUT', resource: `${restApi}/resources/r1/methods/GET/integration`, context: TAGGED },
  ],
  ['the API', 'deletes the stage', { action: 'apigateway:DELETE', resource: `${restApi}/stages/v1`, context: TAGGED }],
  ['the API', 'turns on data tracing on the stage', { action: 'apigateway:PATCH', resource: `${restApi}/stages/v1`, context: TAGGED }],
  // These two are the SCP layer alone: the bucket policy denies both too (access-matrix.test.ts, "a retired manifest stays retired").
  [
    'the manifest bucket',
    'deletes a manifest version',
    { action: 's3:DeleteObjectVersion', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin` },
  ],
  [
    'the manifest bucket',
    "rewrites a manifest's SHA-256 tag (the function would keep a stale manifest)",
    { action: 's3:PutObjectTagging', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin` },
  ],
  [
    'the manifest bucket',
    'replaces the lifecycle rules',
    { action: 's3:PutLifecycleConfiguration', resource: bucket.arn, resourcePolicy: bucketPolicy },
  ],
  ['the manifest bucket', 'suspends versioning', { action: 's3:PutBucketVersioning', resource: bucket.arn, resourcePolicy: bucketPolicy }],
  [
    'the manifest bucket',
    'replaces the bucket policy',
    { action: 's3:PutBucketPolicy', resource: bucket.arn, resourcePolicy: bucketPolicy },
  ],
  ['the secrets', 'creates a secret under the prefix before the broker does', { action: 'secretsmanager:CreateSecret', resource: secret }],
  [
    'the secrets',
    "replaces a secret's resource policy",
    { action: 'secretsmanager:PutResourcePolicy', resource: secret, resourcePolicy: secretPolicy },
  ],
  [
    'the secrets',
    "deletes a secret's resource policy",
    { action: 'secretsmanager:DeleteResourcePolicy', resource: secret, resourcePolicy: secretPolicy },
  ],
];

describe('the threat model: an account administrator around the split', () => {
  it('covers at least 40 paths in every class the issue names', () => {
    expect(PATHS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(PATHS.map(([c]) => c)).size).toBeGreaterThanOrEqual(10);
  });

  describe.each(['shared', 'sealed'] as const)('under the %s guardrails', (mode) => {
    it.each(PATHS)('%s: the administrator %s, and is explicitly denied', async (_class, _what, call) => {
      expect(await decide(PEOPLE.administrator, call, SCPS[mode])).toBe(EXPLICIT);
    });
  });

  describe('control: without the guardrails', () => {
    it.each(PATHS)('%s: the administrator %s, and is allowed', async (_class, _what, call) => {
      expect(await decide(PEOPLE.administrator, call, undefined)).toBe(ALLOWED);
    });
  });
});

describe('control: what the guardrails leave to whom needs it', () => {
  const admin = [
    { name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
  ];
  const fnIdentity = (r: { id: string }) => identityPoliciesOf(r.id);
  const cases: [string, string, Call, { name: string; policy: unknown }[]][] = [
    [
      'the deployer',
      PEOPLE.deployer,
      { action: 'sts:AssumeRole', resource: bootstrap('deploy-role'), resourcePolicy: trustsAccount },
      admin,
    ],
    [
      'the deployer',
      PEOPLE.deployer,
      { action: 'sts:AssumeRole', resource: bootstrap('file-publishing-role'), resourcePolicy: trustsAccount },
      admin,
    ],
    [
      'the deploy role',
      PEOPLE.deployRole,
      { action: 'iam:PassRole', resource: bootstrap('cfn-exec-role'), context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      admin,
    ],
    [
      'the deploy role',
      PEOPLE.deployRole,
      { action: 'cloudformation:CreateChangeSet', resource: arn('cloudformation', `stack/${STABLE_NAMES.stack}/1a2b3c`) },
      admin,
    ],
    [
      'the file-publishing role',
      PEOPLE.filePublishing,
      { action: 's3:PutObject', resource: `arn:aws:s3:::cdk-hnb659fds-assets-${account}-${region}/abc123.zip` },
      admin,
    ],
    ['the CloudFormation execution role', PEOPLE.cfnExec, { action: 'lambda:UpdateFunctionCode', resource: fn.manifest.arn }, admin],
    [
      'the CloudFormation execution role',
      PEOPLE.cfnExec,
      { action: 'iam:PassRole', resource: roles.unlockCodeFunction.arn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      admin,
    ],
    [
      'the CloudFormation execution role',
      PEOPLE.cfnExec,
      { action: 'iam:UpdateAssumeRolePolicy', resource: roles.manifestOperator.arn },
      admin,
    ],
    ['the CloudFormation execution role', PEOPLE.cfnExec, keyCall('kms:PutKeyPolicy', keys.unlockCode), admin],
    [
      'the CloudFormation execution role',
      PEOPLE.cfnExec,
      keyCall('kms:TagResource', keys.alerts, { 'aws:TagKeys': ['snowball-credential-broker'] }),
      admin,
    ],
    ['the CloudFormation execution role', PEOPLE.cfnExec, { action: 'events:PutRule', resource: rule.arn }, admin],
    [
      'the CloudFormation execution role',
      PEOPLE.cfnExec,
      { action: 'apigateway:PATCH', resource: `${restApi}/stages/v1`, context: TAGGED },
      admin,
    ],
    [
      'the CloudFormation execution role',
      PEOPLE.cfnExec,
      { action: 's3:PutBucketPolicy', resource: bucket.arn, resourcePolicy: bucketPolicy },
      admin,
    ],
    ['the CloudFormation execution role', PEOPLE.cfnExec, { action: 'sns:SetTopicAttributes', resource: alertTopic.arn }, admin],
    [
      'the manifest function',
      roles.manifestFunction.arn,
      { action: 'snowball:GetJobManifest', resource: '*' },
      fnIdentity(roles.manifestFunction),
    ],
    [
      'the manifest function',
      roles.manifestFunction.arn,
      { action: 's3:PutObject', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin`, resourcePolicy: bucketPolicy },
      fnIdentity(roles.manifestFunction),
    ],
    // A PutObject carrying tags is authorised as s3:PutObjectTagging too: how the function records each version's SHA-256.
    [
      'the manifest function',
      roles.manifestFunction.arn,
      { action: 's3:PutObjectTagging', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin`, resourcePolicy: bucketPolicy },
      fnIdentity(roles.manifestFunction),
    ],
    [
      'the manifest function',
      roles.manifestFunction.arn,
      { action: 's3:GetObjectVersionTagging', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin`, resourcePolicy: bucketPolicy },
      fnIdentity(roles.manifestFunction),
    ],
    [
      'the manifest function',
      roles.manifestFunction.arn,
      { action: 's3:DeleteObject', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin`, resourcePolicy: bucketPolicy },
      fnIdentity(roles.manifestFunction),
    ],
    [
      'the manifest function',
      roles.manifestFunction.arn,
      { action: 's3:ListBucketVersions', resource: bucket.arn, resourcePolicy: bucketPolicy },
      fnIdentity(roles.manifestFunction),
    ],
    [
      'the manifest function',
      roles.manifestFunction.arn,
      {
        action: 'logs:PutLogEvents',
        resource: resource('AWS::Logs::LogGroup', `${functionLogicalIdPrefix('manifest', 'api')}Logs`).arn.replace(/:\*$/, ':log-stream:x'),
      },
      fnIdentity(roles.manifestFunction),
    ],
    [
      'the unlock-code function',
      roles.unlockCodeFunction.arn,
      { action: 'snowball:GetJobUnlockCode', resource: '*' },
      fnIdentity(roles.unlockCodeFunction),
    ],
    ...['CreateSecret', 'PutResourcePolicy', 'PutSecretValue', 'DeleteSecret', 'RestoreSecret', 'TagResource'].map(
      (a) =>
        [
          'the unlock-code function',
          roles.unlockCodeFunction.arn,
          { action: `secretsmanager:${a}`, resource: secret, resourcePolicy: secretPolicy },
          fnIdentity(roles.unlockCodeFunction),
        ] as [string, string, Call, { name: string; policy: unknown }[]],
    ),
    [
      'the manifest operator',
      roles.manifestOperator.arn,
      { action: 's3:GetObject', resource: `${bucket.arn}/manifests/${JOB}/manifest.bin`, resourcePolicy: bucketPolicy },
      fnIdentity(roles.manifestOperator),
    ],
    [
      'its configured principal',
      PEOPLE.fieldTeam,
      { action: 'sts:AssumeRole', resource: roles.manifestOperator.arn, resourcePolicy: trust(roles.manifestOperator) },
      admin,
    ],
    [
      'its configured principal',
      PEOPLE.securityDesk,
      { action: 'sts:AssumeRole', resource: roles.unlockCodeOperator.arn, resourcePolicy: trust(roles.unlockCodeOperator) },
      admin,
    ],
    ['break-glass', PEOPLE.breakGlass, { action: 'snowball:GetJobUnlockCode', resource: '*' }, admin],
    ['break-glass', PEOPLE.breakGlass, keyCall('kms:PutKeyPolicy', keys.manifest), admin],
    ['break-glass', PEOPLE.breakGlass, { action: 'lambda:UpdateFunctionCode', resource: fn.unlockCode.arn }, admin],
  ];

  it.each(cases)('shared: %s keeps it (%#)', async (_who, who, call, identity) => {
    expect(await decide(who, call, SCPS.shared, identity)).toBe(ALLOWED);
  });

  it.each(cases)('sealed: %s keeps it (%#)', async (_who, who, call, identity) => {
    expect(await decide(who, call, SCPS.sealed, identity)).toBe(ALLOWED);
  });

  it("sealed: an operator's principal in the broker account may become its operator role, and nothing else", async () => {
    expect(
      await decide(
        PEOPLE.fieldTeam,
        { action: 'sts:AssumeRole', resource: bootstrap('deploy-role'), resourcePolicy: trustsAccount },
        SCPS.sealed,
        admin,
      ),
    ).toBe(EXPLICIT);
    expect(await decide(PEOPLE.fieldTeam, { action: 'iam:CreateRole', resource: role('Anything') }, SCPS.sealed, admin)).toBe(EXPLICIT);
    expect(await decide(PEOPLE.fieldTeam, { action: 'snowball:GetJobManifest', resource: '*' }, SCPS.sealed, admin)).toBe(EXPLICIT);
  });

  it("functions still cannot take each other's credential", async () => {
    expect(await decide(roles.manifestFunction.arn, { action: 'snowball:GetJobUnlockCode', resource: '*' }, SCPS.shared, admin)).toBe(
      EXPLICIT,
    );
    expect(await decide(roles.unlockCodeFunction.arn, { action: 'snowball:GetJobManifest', resource: '*' }, SCPS.sealed, admin)).toBe(
      EXPLICIT,
    );
  });
});

describe('control: shared mode leaves unrelated resources alone', () => {
  const unrelated: [string, Call][] = [
    ['updates an unrelated function', { action: 'lambda:UpdateFunctionCode', resource: arn('lambda', 'function:billing-report') }],
    [
      'passes an unrelated role',
      { action: 'iam:PassRole', resource: role('AppRole'), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    ],
    ['re-trusts an unrelated role', { action: 'iam:UpdateAssumeRolePolicy', resource: role('AppRole') }],
    ['replaces an unrelated bucket policy', { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::app-reports' }],
    ['deletes an unrelated object version', { action: 's3:DeleteObjectVersion', resource: 'arn:aws:s3:::app-reports/2026/report.csv' }],
    [
      'rewrites an unrelated key policy',
      {
        action: 'kms:PutKeyPolicy',
        resource: arn('kms', 'key/1234abcd'),
        resourcePolicy: trustsAccount.Statement && {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
        },
      },
    ],
    ['disables an unrelated rule', { action: 'events:DisableRule', resource: arn('events', 'rule/nightly-batch') }],
    [
      'creates an unrelated secret',
      { action: 'secretsmanager:CreateSecret', resource: arn('secretsmanager', 'secret:app/db-password-AbCdEf') },
    ],
    ['creates a Snowball job', { action: 'snowball:CreateJob', resource: '*' }],
    [
      'changes an API of another account that happens to carry the tag',
      { action: 'apigateway:PATCH', resource: `${restApi}/stages/v1`, context: { ...TAGGED, 'aws:ResourceAccount': '999988887777' } },
    ],
  ];

  it.each(unrelated)('the administrator %s', async (_what, call) => {
    expect(await decide(PEOPLE.administrator, call, SCPS.shared)).toBe(ALLOWED);
  });

  it.each(unrelated)('sealed mode does not: the administrator %s, denied', async (_what, call) => {
    expect(await decide(PEOPLE.administrator, call, SCPS.sealed)).toBe(EXPLICIT);
  });
});

describe('control: sealed mode lets the job-ordering principal order jobs, and nobody else', () => {
  const createJob: Call = { action: 'snowball:CreateJob', resource: '*' };

  it('the job-ordering principal creates and manages a job, passing its service role', async () => {
    expect(await decide(PEOPLE.jobCreator, createJob, SCPS.sealed)).toBe(ALLOWED);
    expect(await decide(PEOPLE.jobCreator, { action: 'snowball:UpdateJob', resource: '*' }, SCPS.sealed)).toBe(ALLOWED);
    expect(
      await decide(
        PEOPLE.jobCreator,
        { action: 'iam:PassRole', resource: role('SnowballJobRole'), context: { 'iam:PassedToService': 'importexport.amazonaws.com' } },
        SCPS.sealed,
      ),
    ).toBe(ALLOWED);
  });

  it.each([
    ['the administrator', PEOPLE.administrator],
    ['the deployer', PEOPLE.deployer],
    ['the CloudFormation execution role', PEOPLE.cfnExec],
    ['the manifest operator role', role(STABLE_NAMES.operatorRole('manifest', region))],
  ])('%s cannot create a job', async (_who, who) => {
    expect(await decide(who, createJob, SCPS.sealed)).toBe(EXPLICIT);
  });

  it('the job-ordering principal reads neither credential and does nothing else in the account', async () => {
    expect(await decide(PEOPLE.jobCreator, { action: 'snowball:GetJobUnlockCode', resource: '*' }, SCPS.sealed)).toBe(EXPLICIT);
    expect(await decide(PEOPLE.jobCreator, { action: 'snowball:GetJobManifest', resource: '*' }, SCPS.sealed)).toBe(EXPLICIT);
    expect(await decide(PEOPLE.jobCreator, { action: 'iam:CreateRole', resource: role('Anything') }, SCPS.sealed)).toBe(EXPLICIT);
    expect(await decide(PEOPLE.jobCreator, { action: 'lambda:UpdateFunctionCode', resource: fn.manifest.arn }, SCPS.sealed)).toBe(EXPLICIT);
  });

  it("the job's service role still lets Snowball publish the job's notifications", async () => {
    const topic = resource('AWS::SNS::Topic', 'LifecycleJobNotification').arn;
    expect(await decide(role('SnowballJobRole'), { action: 'sns:Publish', resource: topic }, SCPS.sealed)).toBe(ALLOWED);
    expect(await decide(role('SnowballJobRole'), { action: 'snowball:GetJobUnlockCode', resource: '*' }, SCPS.sealed)).toBe(EXPLICIT);
  });

  it('AWS service-linked roles keep working', async () => {
    expect(
      await decide(
        role('aws-service-role/ops.apigateway.amazonaws.com/AWSServiceRoleForAPIGateway'),
        { action: 'ec2:DescribeNetworkInterfaces', resource: '*' },
        SCPS.sealed,
      ),
    ).toBe(ALLOWED);
  });
});
