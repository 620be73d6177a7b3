import { Match } from 'aws-cdk-lib/assertions';
import { alertPaths, alertRules, alertTemplate } from '../../policies/alert-rules';
import { STABLE_NAMES } from '../../contract/deployment';
import { matchesPattern } from '../../sandbox/event-pattern';
import { assumedRole, cloudTrailEvent, iamUser, root, type Call } from '../fixtures/cloudtrail';
import { synthBroker, TEST_ENV } from '../helpers/synth';
import { TemplateResolver } from '../helpers/template-resolver';
import { PLACEHOLDER_SUBJECTS } from '../fixtures/alert-subjects';

const BREAK_GLASS = 'arn:aws:iam::123456789012:role/BreakGlass';
const { template } = synthBroker({ breakGlassRoleArn: BREAK_GLASS, alertEmails: ['desk@example.com'] });
const raw = template.toJSON() as { Resources: Record<string, any> };
const resolver = new TemplateResolver(raw, TEST_ENV);
const idOf = (type: string, prefix: string) => resolver.logicalId(type, prefix);
const arnOf = (type: string, prefix: string) => resolver.attribute(idOf(type, prefix), 'Arn');

const FN = { manifest: arnOf('AWS::IAM::Role', 'ManifestFunctionRole'), unlockCode: arnOf('AWS::IAM::Role', 'UnlockCodeFunctionRole') };
/** Lambda names each session of a function's role after the function; the deployed names start with the stack's. */
const IN_FUNCTION = {
  manifest: 'SnowballCredentialBroker-ManifestFunctionsApi360F6E6F-AbCdEf',
  unlockCode: 'SnowballCredentialBroker-UnlockCodeFunctionsApi0825-AbCdEf',
};
const UNLOCK_OPERATOR = arnOf('AWS::IAM::Role', 'OperatorsUnlockCodeOperator');
const ADMIN = 'arn:aws:iam::123456789012:role/PlatformAdmin';
const KEY = arnOf('AWS::KMS::Key', 'UnlockCodeVaultKey');
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';
const SECRET = `snowball/unlock-code/${JOB}`;

/** The deployed rules, resolved to concrete ARNs, by alert id. */
const rules = Object.fromEntries(
  Object.entries(raw.Resources)
    .filter(([id, r]) => r.Type === 'AWS::Events::Rule' && id.startsWith('Detection'))
    .map(([id, r]) => [id.replace(/^Detection/, '').replace(/[A-F0-9]{8}$/, ''), resolver.resolve(r.Properties)]),
);
const alerts = (call: Call) => Object.keys(rules).filter((id) => matchesPattern(rules[id].EventPattern, cloudTrailEvent(call)));
/** The alerts a Snowball credential call for JOB raises. */
const fetched = (eventName: 'GetJobUnlockCode' | 'GetJobManifest', identity: Call['identity'], errorCode?: string) =>
  alerts({ service: 'snowball', eventName, identity, requestParameters: { jobId: JOB }, errorCode });

describe('detection rules, against real-shaped CloudTrail records', () => {
  it.each([
    ['an administrator role', assumedRole(ADMIN, 'alice')],
    ['an IAM user', iamUser('bob')],
    ['the root user', root()],
    ['the manifest function', assumedRole(FN.manifest)],
  ])("%s's GetJobUnlockCode raises UnlockCodeFetchedAroundBroker", (_who, identity) => {
    expect(fetched('GetJobUnlockCode', identity)).toEqual(['UnlockCodeFetchedAroundBroker']);
  });

  it("the unlock-code function's own GetJobUnlockCode raises nothing", () => {
    expect(fetched('GetJobUnlockCode', assumedRole(FN.unlockCode, IN_FUNCTION.unlockCode))).toEqual([]);
  });

  it("the unlock-code function's role run anywhere but its function (a new function, an instance) raises UnlockCodeFetchedAroundBroker", () => {
    expect(fetched('GetJobUnlockCode', assumedRole(FN.unlockCode, 'evil-function'))).toEqual(['UnlockCodeFetchedAroundBroker']);
    expect(fetched('GetJobUnlockCode', assumedRole(FN.unlockCode, 'i-0123456789abcdef0'))).toEqual(['UnlockCodeFetchedAroundBroker']);
  });

  it("an administrator's GetJobManifest raises ManifestFetchedAroundBroker; the manifest function's does not, even when refused", () => {
    expect(fetched('GetJobManifest', assumedRole(ADMIN), 'AccessDenied')).toEqual(['ManifestFetchedAroundBroker']);
    expect(fetched('GetJobManifest', assumedRole(FN.manifest, IN_FUNCTION.manifest))).toEqual([]);
  });

  it('GetSecretValue of a vault secret, by name or ARN, by anyone, raises exactly one alert: UnlockCodeRead for the broker roles, UnlockCodeReadOutsideBroker for anyone else', () => {
    const read = (identity: Call['identity'], secretId: string) =>
      alerts({ service: 'secretsmanager', eventName: 'GetSecretValue', identity, requestParameters: { secretId } });
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SECRET}-AbCdEf`;
    expect(read(assumedRole(ADMIN), SECRET)).toEqual(['UnlockCodeReadOutsideBroker']);
    expect(read(assumedRole(ADMIN), arn)).toEqual(['UnlockCodeReadOutsideBroker']);
    expect(read(iamUser('bob'), SECRET)).toEqual(['UnlockCodeReadOutsideBroker']);
    expect(read(assumedRole(UNLOCK_OPERATOR), SECRET)).toEqual(['UnlockCodeRead']);
    expect(read(assumedRole(UNLOCK_OPERATOR), arn)).toEqual(['UnlockCodeRead']);
    expect(read(assumedRole(FN.unlockCode, IN_FUNCTION.unlockCode), arn)).toEqual(['UnlockCodeRead']);
    // The function's role run anywhere but its function is also reported as a read outside the broker.
    expect(read(assumedRole(FN.unlockCode, 'evil-function'), arn).sort()).toEqual(['UnlockCodeRead', 'UnlockCodeReadOutsideBroker']);
    expect(read(assumedRole(ADMIN), 'prod/database/password')).toEqual([]);
    expect(read(assumedRole(UNLOCK_OPERATOR), 'prod/database/password')).toEqual([]);
  });

  it('BatchGetSecretValue naming a vault secret, or selecting by filters, is a read too: UnlockCodeReadOutsideBroker, or UnlockCodeRead for the operator', () => {
    const batch = (identity: Call['identity'], requestParameters: Record<string, unknown>) =>
      alerts({ service: 'secretsmanager', eventName: 'BatchGetSecretValue', identity, requestParameters });
    expect(batch(assumedRole(ADMIN), { secretIdList: ['prod/database/password', SECRET] })).toEqual(['UnlockCodeReadOutsideBroker']);
    expect(batch(assumedRole(ADMIN), { filters: [{ key: 'name', values: ['snowball'] }] })).toEqual(['UnlockCodeReadOutsideBroker']);
    expect(batch(assumedRole(UNLOCK_OPERATOR), { secretIdList: [SECRET] })).toEqual(['UnlockCodeRead']);
    // Positive control: a batch of unrelated secrets raises nothing.
    expect(batch(assumedRole(ADMIN), { secretIdList: ['prod/database/password'] })).toEqual([]);
  });

  it('with the manifest-read trail, a copy out of the vault (CopyObject, UploadPartCopy) or a SelectObjectContent raises ManifestReadDirectly like a GetObject', () => {
    const subjects = {
      manifestFunctionRoleArn: FN.manifest,
      unlockCodeFunctionRoleArn: FN.unlockCode,
      unlockCodeOperatorRoleArn: UNLOCK_OPERATOR,
      vaultKeyArns: [],
      manifestBucketName: 'vault-bucket',
      secretPrefix: 'snowball/unlock-code/',
      manifestReads: true,
    };
    const direct = alertRules(subjects).find((r) => r.id === 'ManifestReadDirectly')!;
    const reads = (call: Omit<Call, 'service' | 'identity'>) =>
      matchesPattern(direct.pattern as never, cloudTrailEvent({ service: 's3', identity: assumedRole(ADMIN), ...call }));
    const key = `manifests/${JOB}/manifest.bin`;
    const source = { ARN: `arn:aws:s3:::vault-bucket/${key}`, type: 'AWS::S3::Object' };
    const copy = (eventName: string) => ({
      eventName,
      requestParameters: { bucketName: 'attacker-bucket', key: 'loot.bin', 'x-amz-copy-source': `vault-bucket/${key}` },
      resources: [{ ARN: 'arn:aws:s3:::attacker-bucket/loot.bin', type: 'AWS::S3::Object' }, source],
    });
    expect(reads(copy('CopyObject'))).toBe(true);
    expect(reads(copy('UploadPartCopy'))).toBe(true);
    expect(
      reads({ eventName: 'CopyObject', requestParameters: { bucketName: 'attacker-bucket', key: 'loot.bin' }, resources: [source] }),
    ).toBe(true);
    expect(reads({ eventName: 'SelectObjectContent', requestParameters: { bucketName: 'vault-bucket', key } })).toBe(true);
    expect(reads({ eventName: 'GetObject', requestParameters: { bucketName: 'vault-bucket', key } })).toBe(true);
    // Positive controls: a copy between other buckets, and a write into the vault, are no manifest read.
    expect(
      reads({
        eventName: 'CopyObject',
        requestParameters: { bucketName: 'attacker-bucket', key: 'a', 'x-amz-copy-source': 'other-bucket/b' },
        resources: [{ ARN: 'arn:aws:s3:::other-bucket/b', type: 'AWS::S3::Object' }],
      }),
    ).toBe(false);
    expect(reads({ eventName: 'PutObject', requestParameters: { bucketName: 'vault-bucket', key } })).toBe(false);
  });

  it('CreateSecret under the vault prefix by anyone but the unlock-code function raises UnlockCodeSecretCreatedAroundBroker, naming the secret (the job)', () => {
    const create = (identity: Call['identity'], name: string) =>
      alerts({ service: 'secretsmanager', eventName: 'CreateSecret', identity, requestParameters: { name } });
    expect(create(assumedRole(ADMIN), SECRET)).toEqual(['UnlockCodeSecretCreatedAroundBroker']);
    expect(create(root(), SECRET)).toEqual(['UnlockCodeSecretCreatedAroundBroker']);
    expect(create(assumedRole(UNLOCK_OPERATOR), SECRET)).toEqual(['UnlockCodeSecretCreatedAroundBroker']);
    expect(create(assumedRole(FN.unlockCode, IN_FUNCTION.unlockCode), SECRET)).toEqual([]);
    expect(create(assumedRole(FN.unlockCode, 'evil-function'), SECRET)).toEqual(['UnlockCodeSecretCreatedAroundBroker']);
    expect(create(assumedRole(ADMIN), 'prod/database/password')).toEqual([]);
  });

  it('announces a read with the job (the secret), the reader session, its issuer and source identity, the source IP and the time, never a value', () => {
    const rule = alertRules(PLACEHOLDER_SUBJECTS).find((r) => r.id === 'UnlockCodeRead')!;
    const target = rules.UnlockCodeRead.Targets[0];
    expect(target.InputTransformer).toEqual({ InputPathsMap: alertPaths(rule), InputTemplate: alertTemplate(rule) });
    expect(alertPaths(rule)).toMatchObject({
      who: '$.detail.userIdentity.arn',
      sessionIssuer: '$.detail.userIdentity.sessionContext.sessionIssuer.arn',
      sourceIdentity: '$.detail.userIdentity.sessionContext.sourceIdentity',
      sourceIp: '$.detail.sourceIPAddress',
      at: '$.detail.eventTime',
      resource: '$.detail.requestParameters.secretId',
    });
    expect(Object.values(alertPaths(rule)).join()).not.toMatch(/responseElements|SecretString/);
  });

  it('a policy change on a vault key, or on its alias, raises VaultKeyChanged; on another key, nothing', () => {
    const put = (keyArn: string) =>
      alerts({
        service: 'kms',
        eventName: 'PutKeyPolicy',
        identity: assumedRole(ADMIN),
        requestParameters: { keyId: keyArn, policyName: 'default' },
        resources: [{ ARN: keyArn, type: 'AWS::KMS::Key' }],
      });
    expect(put(KEY)).toEqual(['VaultKeyChanged']);
    expect(put('arn:aws:kms:eu-west-1:123456789012:key/someone-elses')).toEqual([]);
    expect(
      alerts({
        service: 'kms',
        eventName: 'DeleteAlias',
        identity: assumedRole(ADMIN),
        requestParameters: { aliasName: STABLE_NAMES.keyAlias('manifest') },
      }),
    ).toEqual(['VaultKeyChanged']);
  });

  it("the bucket policy of the vault raises ManifestBucketGuardChanged; the secrets' policies only when not the function's own", () => {
    const bucket = resolver.attribute(idOf('AWS::S3::Bucket', 'ManifestVaultBucket'), 'Ref');
    expect(alerts({ service: 's3', eventName: 'DeleteBucketPolicy', identity: root(), requestParameters: { bucketName: bucket } })).toEqual(
      ['ManifestBucketGuardChanged'],
    );
    const policy = (identity: Call['identity']) =>
      alerts({ service: 'secretsmanager', eventName: 'DeleteResourcePolicy', identity, requestParameters: { secretId: SECRET } });
    expect(policy(assumedRole(ADMIN))).toEqual(['UnlockCodeSecretGuardChanged']);
    expect(
      alerts({
        service: 'secretsmanager',
        eventName: 'PutResourcePolicy',
        identity: assumedRole(FN.unlockCode, IN_FUNCTION.unlockCode),
        requestParameters: { secretId: SECRET },
      }),
    ).toEqual([]);
  });

  it('restoring or rotating a vault secret raises UnlockCodeSecretGuardChanged unless the function does it (a retired code made readable again)', () => {
    const call = (eventName: string, identity: Call['identity']) =>
      alerts({ service: 'secretsmanager', eventName, identity, requestParameters: { secretId: SECRET } });
    for (const eventName of ['RestoreSecret', 'RotateSecret', 'CancelRotateSecret'])
      expect(call(eventName, assumedRole(ADMIN))).toEqual(['UnlockCodeSecretGuardChanged']);
    expect(call('RestoreSecret', assumedRole(FN.unlockCode, IN_FUNCTION.unlockCode))).toEqual([]);
  });

  it('assuming the break-glass role raises BreakGlassRoleAssumed', () => {
    expect(
      alerts({
        service: 'sts',
        eventName: 'AssumeRole',
        identity: iamUser('oncall'),
        requestParameters: { roleArn: BREAK_GLASS, roleSessionName: 'incident' },
      }),
    ).toEqual(['BreakGlassRoleAssumed']);
  });
});

describe('detection resources', () => {
  it('deploys every rule of policies/alert-rules.ts, each seeing read-only management events', () => {
    const expected = alertRules({
      ...PLACEHOLDER_SUBJECTS,
      breakGlassRoleArn: BREAK_GLASS,
      brokerKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/alerts'],
    }).map((r) => r.id);
    expect(Object.keys(rules).sort()).toEqual(expected.sort());
    for (const rule of Object.values(rules)) expect(rule.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('sends each alert to the topic as readable JSON naming who, what, which resource and when, with a dead-letter queue', () => {
    const rule = alertRules(PLACEHOLDER_SUBJECTS)[1];
    const target = rules[rule.id].Targets[0];
    expect(target.Arn).toEqual(resolver.attribute(idOf('AWS::SNS::Topic', 'DetectionAlertTopic'), 'Ref'));
    expect(target.InputTransformer).toEqual({ InputPathsMap: alertPaths(rule), InputTemplate: alertTemplate(rule) });
    expect(Object.keys(alertPaths(rule))).toEqual([
      'who',
      'action',
      'service',
      'at',
      'sourceIp',
      'outcome',
      'account',
      'region',
      'resource',
    ]);
    expect(target.DeadLetterConfig.Arn).toBeDefined();
  });

  it('encrypts the alerts topic with its own customer-managed key, TLS only, with the e-mail subscriptions', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [idOf('AWS::KMS::Key', 'DetectionAlertTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'desk@example.com',
      RedrivePolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasOutput('AlertTopicArn', {});
  });

  it('alarms into the topic on API 5XX, function errors and throttles, refusal bursts and undelivered alerts', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    const topicRef = { Ref: idOf('AWS::SNS::Topic', 'DetectionAlertTopic') };
    // The lifecycle adds its four functions' errors, its two dead-letter queues and ReconcileFailed per vault (test/infra/lifecycle.test.ts).
    const broker = alarms.filter((a) => !/Lifecycle|ReconcileFailed/.test(a.Properties.AlarmName));
    expect(broker.map((a) => a.Properties.MetricName).sort()).toEqual(
      [
        '5XXError',
        'AccessDeniedAnswers',
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Errors',
        'Throttles',
        'Throttles',
        'VaultIntegrityAlerts',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.status = "403" }' });
  });

  it('alarms when any unlock-code function (API, schedule, notification) logs an integrity alert: a foreign secret refused, a secret policy put back', () => {
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (f: any) => f.Properties.MetricTransformations[0].MetricName === 'VaultIntegrityAlerts',
    );
    expect(filters.map((f: any) => f.Properties.FilterPattern)).toEqual(Array(3).fill('{ $.event = "alert:*" }'));
    const groups = filters.map((f: any) => JSON.stringify(f.Properties.LogGroupName)).sort();
    expect(groups.every((g) => /UnlockCode/.test(g))).toBe(true);
    expect(new Set(groups).size).toBe(3);
  });

  it('has no per-minute read alarm any more, and refuses the removed alertOnUnlockCodeRead setting with what replaced it', () => {
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).some((a: any) => a.Properties.MetricName === 'Read')).toBe(
      false,
    );
    expect(() => synthBroker({ alertOnUnlockCodeRead: true })).toThrow(/alertOnUnlockCodeRead was removed.*UnlockCodeRead/);
  });

  it('creates a trail only when asked: management events, and S3 read and write data events (a removed delete marker) for manifests/ of the vault bucket only', () => {
    expect(Object.keys(template.findResources('AWS::CloudTrail::Trail'))).toHaveLength(0);
    const trail = synthBroker({ manifestReadTrail: true }).template;
    trail.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      EventSelectors: [
        Match.objectLike({
          IncludeManagementEvents: false,
          ReadWriteType: 'All',
          DataResources: [Match.objectLike({ Type: 'AWS::S3::Object' })],
        }),
      ],
    });
  });

  it('gives what the SCP names stable names: the function roles, the key aliases, the bucket', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: STABLE_NAMES.functionRole('manifest', TEST_ENV.region) });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: STABLE_NAMES.functionRole('unlockCode', TEST_ENV.region) });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/snowball-credential-broker/manifest-vault' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/snowball-credential-broker/unlock-code-vault' });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: STABLE_NAMES.manifestBucket(TEST_ENV.account, TEST_ENV.region) });
  });
});
