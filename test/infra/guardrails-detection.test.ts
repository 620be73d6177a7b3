import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { alertPaths, alertRules } from '../../policies/alert-rules';
import { STABLE_NAMES } from '../../contract/deployment';
import { functionLogicalIdPrefix } from '../../contract/vaults';
import { companionRegions, companionStackName, GlobalEventsStack } from '../../lib/guardrails-global-events-stack';
import { matchesPattern } from '../../sandbox/event-pattern';
import { renderAlert } from '../../sandbox/trail';
import { assumedRole, cloudTrailEvent, iamUser, root, type Call, type Identity } from '../fixtures/cloudtrail';
import { account, names, PEOPLE, region, resource, role, template } from './guardrails-world';
import { PLACEHOLDER_SUBJECTS } from '../fixtures/alert-subjects';

/**
 * Detection of every guarded change and every use of an exemption: the deployed rules of the
 * broker stack (synthesized under its real name) against real-shaped CloudTrail records, whoever
 * makes the call, a deploy included; and the us-east-1 companion that brings IAM and global STS
 * events to them.
 */
const rules = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets?.[0]?.InputTransformer)
  .map(([id, r]) => ({ id: id.replace(/^Detection/, '').replace(/[A-F0-9]{8}$/, ''), pattern: names.resolve(r.Properties.EventPattern) }));
const fn = resource('AWS::Lambda::Function', functionLogicalIdPrefix('unlockCode', 'api'));
const fnName = fn.arn.split(':').pop()!;
const alertKey = resource('AWS::KMS::Key', 'DetectionAlertTopicKey');
const alertTopic = resource('AWS::SNS::Topic', 'DetectionAlertTopic');
const apiId = 'BrokerApiB313C6E0'.toLowerCase();
const brokerRule = resource('AWS::Events::Rule', 'DetectionUnlockCodeFetchedAroundBroker').arn.split('/').pop()!;
const deploy = assumedRole(PEOPLE.cfnExec, 'AWSCloudFormation');
const admin = assumedRole(PEOPLE.administrator, 'alice');

function recorded(call: Call, where = region) {
  const event = cloudTrailEvent(call);
  return { ...event, region: where, detail: { ...event.detail, awsRegion: where } };
}
const alerts = (call: Call, where?: string) => rules.filter((r) => matchesPattern(r.pattern, recorded(call, where))).map((r) => r.id);
const change = (service: string, eventName: string, requestParameters: Record<string, unknown>, extra: Partial<Call> = {}) => ({
  service,
  eventName,
  requestParameters,
  readOnly: false,
  ...extra,
});

/** [what, the call, the alert it raises] — each by an administrator, and the same through a deploy. */
const GUARDED: [string, Omit<Call, 'identity'>, string][] = [
  ['replaces a broker function code', change('lambda', 'UpdateFunctionCode20150331v2', { functionName: fnName }), 'BrokerFunctionChanged'],
  [
    'adds a layer by ARN',
    change('lambda', 'UpdateFunctionConfiguration20150331v2', {
      functionName: fn.arn,
      layers: ['arn:aws:lambda:eu-west-1:999988887777:layer:x:1'],
    }),
    'BrokerFunctionChanged',
  ],
  [
    'passes a function role to a new function',
    change('lambda', 'CreateFunction20150331', { functionName: 'evil', role: role(STABLE_NAMES.functionRole('unlockCode', region)) }),
    'FunctionRolePassed',
  ],
  [
    're-trusts a function role',
    change('iam', 'UpdateAssumeRolePolicy', { roleName: STABLE_NAMES.functionRole('manifest', region) }),
    'GuardedRoleChanged',
  ],
  [
    'creates an exec-role-like role',
    change('iam', 'CreateRole', { roleName: `cdk-hnb659fds-cfn-exec-role-${account}-evil` }),
    'GuardedRoleChanged',
  ],
  [
    'adds a policy to an operator role',
    change('iam', 'PutRolePolicy', { roleName: STABLE_NAMES.operatorRole('unlockCode', region) }),
    'GuardedRoleChanged',
  ],
  ['re-trusts the break-glass role', change('iam', 'UpdateAssumeRolePolicy', { roleName: 'BreakGlass' }), 'GuardedRoleChanged'],
  ['disables an alert rule', change('events', 'DisableRule', { name: brokerRule }), 'AlertRuleChanged'],
  ["removes an alert rule's target", change('events', 'RemoveTargets', { rule: brokerRule, ids: ['Target0'] }), 'AlertRuleChanged'],
  ['stops a trail', change('cloudtrail', 'StopLogging', { name: 'org-trail' }), 'TrailChanged'],
  ['drops event selectors', change('cloudtrail', 'PutEventSelectors', { trailName: 'org-trail' }), 'TrailChanged'],
  [
    "sets the alerts topic's attributes",
    change('sns', 'SetTopicAttributes', { topicArn: alertTopic.arn, attributeName: 'KmsMasterKeyId' }),
    'AlertTopicChanged',
  ],
  ['unsubscribes the security desk', change('sns', 'Unsubscribe', { subscriptionArn: `${alertTopic.arn}:0f1e2d3c` }), 'AlertTopicChanged'],
  [
    'disables the alerts key',
    change('kms', 'DisableKey', { keyId: alertKey.arn }, { resources: [{ ARN: alertKey.arn, type: 'AWS::KMS::Key' }] }),
    'TopicKeyChanged',
  ],
  [
    'grants itself the unlock-code key',
    change(
      'kms',
      'CreateGrant',
      { keyId: 'k' },
      { resources: [{ ARN: resource('AWS::KMS::Key', 'UnlockCodeVaultKey').arn, type: 'AWS::KMS::Key' }] },
    ),
    'VaultKeyChanged',
  ],
  [
    'deletes an audit log group',
    change('logs', 'DeleteLogGroup', { logGroupName: `${STABLE_NAMES.stack}-BrokerApiAccessLogs-A1B2` }),
    'AuditLogChanged',
  ],
  [
    'silences an alarm',
    {
      ...change('monitoring', 'DisableAlarmActions', { alarmNames: [`${STABLE_NAMES.stack}-AlarmsUndeliveredAlerts-A1B2`] }),
      service: 'monitoring',
    },
    'AlarmChanged',
  ],
  [
    'purges the undelivered alerts',
    change('sqs', 'PurgeQueue', {
      queueUrl: `https://sqs.${region}.amazonaws.com/${account}/${STABLE_NAMES.stack}-DetectionUndeliveredAlerts-A1B2`,
    }),
    'AlertQueueChanged',
  ],
  ["replaces the API's policy", change('apigateway', 'UpdateRestApi', { restApiId: apiId }), 'BrokerApiChanged'],
  ['deploys the API anew', change('apigateway', 'CreateDeployment', { restApiId: apiId }), 'BrokerApiChanged'],
  ['turns on data tracing', change('apigateway', 'UpdateStage', { restApiId: apiId, stageName: 'v1' }), 'BrokerApiChanged'],
  [
    'suspends versioning of the manifest bucket',
    change('s3', 'PutBucketVersioning', { bucketName: STABLE_NAMES.manifestBucket(account, region) }),
    'ManifestBucketChanged',
  ],
  [
    'shortens its lifecycle',
    change('s3', 'PutBucketLifecycle', { bucketName: STABLE_NAMES.manifestBucket(account, region) }),
    'ManifestBucketChanged',
  ],
  [
    'creates a secret under the prefix',
    change('secretsmanager', 'CreateSecret', { name: 'snowball/unlock-code/JID123e4567-e89b-12d3-a456-426655440000' }),
    'UnlockCodeSecretCreatedAroundBroker',
  ],
  [
    're-keys a vault secret',
    change('secretsmanager', 'UpdateSecret', { secretId: 'snowball/unlock-code/JID123e4567-e89b-12d3-a456-426655440000', kmsKeyId: 'k' }),
    'UnlockCodeSecretChanged',
  ],
];

describe('every guarded change raises an alert naming who did what', () => {
  // CloudWatch's CloudTrail records come from `monitoring.amazonaws.com` with source `aws.cloudwatch`.
  it.each(GUARDED)('an administrator %s', (_what, call, alert) => {
    const identity = admin;
    const event = recorded({ ...call, identity });
    if (call.service === 'monitoring') Object.assign(event, { source: 'aws.cloudwatch' });
    const raised = rules.filter((r) => matchesPattern(r.pattern, event));
    expect(raised.map((r) => r.id)).toContain(alert);
    const rule = alertRules({
      ...PLACEHOLDER_SUBJECTS,
      manifestBucketName: 'b',
      brokerKeyArns: ['k'],
      breakGlassRoleArn: PEOPLE.breakGlass,
    }).find((r) => r.id === alert)!;
    expect(renderAlert(rule, event)).toMatchObject({ alert, who: admin.arn, action: call.eventName });
    expect(Object.keys(alertPaths(rule))).toContain('who');
  });

  it.each(GUARDED)('a deploy (the CloudFormation execution role) %s: seen too, so a compromised pipeline is', (_what, call, alert) => {
    const event = recorded({ ...call, identity: deploy });
    if (call.service === 'monitoring') Object.assign(event, { source: 'aws.cloudwatch' });
    expect(rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.id)).toContain(alert);
  });

  it.each([
    ['an unrelated function', change('lambda', 'UpdateFunctionCode20150331v2', { functionName: 'billing-report' })],
    ['an unrelated rule', change('events', 'DisableRule', { name: 'nightly-batch' })],
    ['an unrelated role', change('iam', 'UpdateAssumeRolePolicy', { roleName: 'AppRole' })],
    ['an unrelated log group', change('logs', 'DeleteLogGroup', { logGroupName: '/aws/lambda/billing-report' })],
    ['an unrelated secret', change('secretsmanager', 'CreateSecret', { name: 'app/db-password' })],
    [
      'reading a broker function',
      { service: 'lambda', eventName: 'GetFunction20150331v2', requestParameters: { functionName: fnName }, readOnly: true },
    ],
  ])('changes to %s raise nothing', (_what, call) => {
    expect(alerts({ ...call, identity: admin } as Call)).toEqual([]);
  });

  it("the unlock-code function's own secret creation raises nothing; the same role from elsewhere does", () => {
    const create = (identity: Identity) =>
      alerts({ ...change('secretsmanager', 'CreateSecret', { name: 'snowball/unlock-code/JID1' }), identity });
    expect(create(assumedRole(role(STABLE_NAMES.functionRole('unlockCode', region)), fnName))).toEqual([]);
    expect(create(assumedRole(role(STABLE_NAMES.functionRole('unlockCode', region)), 'evil'))).toEqual([
      'UnlockCodeSecretCreatedAroundBroker',
    ]);
  });
});

describe('every use of an exemption raises an alert', () => {
  const identities: [string, Identity][] = [
    ['a role', admin],
    ['an IAM user', iamUser('oncall')],
    ['the root user', root()],
  ];
  const federated = {
    type: 'SAMLUser',
    principalId: 'x',
    userName: 'oncall@example.com',
    identityProvider: 'arn:aws:iam::123456789012:saml-provider/IdP',
  } as unknown as Identity;

  it.each(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'])(
    'break-glass %s, at the global endpoint (us-east-1) or a regional one, raises BreakGlassRoleAssumed',
    (eventName) => {
      for (const where of ['us-east-1', region, 'ap-south-1']) {
        const identity = eventName === 'AssumeRole' ? admin : federated;
        expect(
          alerts(
            { service: 'sts', eventName, identity, requestParameters: { roleArn: PEOPLE.breakGlass, roleSessionName: 'incident' } },
            where,
          ),
        ).toEqual(['BreakGlassRoleAssumed']);
      }
    },
  );

  it('every call the break-glass session makes raises BreakGlassRoleUsed', () => {
    expect(
      alerts({
        service: 'snowball',
        eventName: 'GetJobUnlockCode',
        identity: assumedRole(PEOPLE.breakGlass, 'incident'),
        requestParameters: { jobId: 'JID1' },
      }),
    ).toEqual(expect.arrayContaining(['UnlockCodeFetchedAroundBroker', 'BreakGlassRoleUsed']));
  });

  it.each(identities)('%s assuming a CDK bootstrap role (a deploy) raises DeployRoleAssumed', (_who, identity) => {
    expect(
      alerts({ service: 'sts', eventName: 'AssumeRole', identity, requestParameters: { roleArn: PEOPLE.deployRole } }, 'us-east-1'),
    ).toEqual(['DeployRoleAssumed']);
  });
});

describe('IAM and global STS events: the us-east-1 companion', () => {
  const app = new App();
  const stack = new GlobalEventsStack(app, `${STABLE_NAMES.stack}GlobalEvents`, {
    brokerRegion: region,
    env: { account, region: 'us-east-1' },
  });
  Tags.of(stack).add(STABLE_NAMES.guardTag.key, STABLE_NAMES.guardTag.value);
  const companion = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
  const [ruleId, forwarder] = Object.entries(companion.Resources).find(([, r]) => r.Type === 'AWS::Events::Rule')!;
  const target = forwarder.Properties.Targets[0];
  const busArn = `arn:aws:events:${region}:${account}:event-bus/default`;

  it("forwards every IAM and STS call, read-only ones too, to the broker region's default bus", () => {
    expect(forwarder.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(JSON.stringify(target.Arn)).toContain(`:events:${region}:`);
    for (const service of ['iam', 'sts']) {
      expect(matchesPattern(forwarder.Properties.EventPattern, recorded({ service, eventName: 'X', identity: admin }, 'us-east-1'))).toBe(
        true,
      );
    }
    expect(
      matchesPattern(forwarder.Properties.EventPattern, recorded({ service: 'snowball', eventName: 'X', identity: admin }, 'us-east-1')),
    ).toBe(false);
    expect(ruleId).toMatch(/^ForwardIamAndStsEvents/);
    expect(target.DeadLetterConfig).toBeDefined();
  });

  it("admits the delivery: the forwarding role may put events on the broker region's bus, and nowhere else", async () => {
    const roleId = target.RoleArn['Fn::GetAtt'][0];
    const policy = Object.values(companion.Resources).find(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId),
    )!;
    const doc = JSON.parse(
      JSON.stringify(policy.Properties.PolicyDocument).replace(
        /\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":events:eu-west-1:([0-9]+):event-bus\/default"\]\]\}/g,
        `"${busArn}"`,
      ),
    );
    const trust = companion.Resources[roleId].Properties.AssumeRolePolicyDocument;
    expect(JSON.stringify(trust)).toContain('events.amazonaws.com');
    const put = async (resource: string) =>
      (
        (await runSimulation(
          {
            request: {
              principal: role('forwarder').replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/s',
              action: 'events:PutEvents',
              resource: { resource, accountId: account },
              contextVariables: { 'aws:PrincipalArn': role('forwarder'), 'aws:PrincipalAccount': account },
            },
            identityPolicies: [{ name: 'p', policy: doc }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: undefined,
          } as any,
          {},
        )) as any
      ).overallResult;
    expect(await put(busArn)).toBe('Allowed');
    expect(await put(`arn:aws:events:us-west-2:${account}:event-bus/default`)).not.toBe('Allowed');
  });

  it('is named and tagged like the broker, so the guardrails guard it', () => {
    expect(stack.stackName.startsWith(STABLE_NAMES.stack)).toBe(true);
    expect(JSON.stringify(forwarder.Properties)).not.toContain('"Name"');
    const roleTags = Object.values(companion.Resources).find((r) => r.Type === 'AWS::IAM::Role')!.Properties.Tags;
    expect(roleTags).toContainEqual({ Key: STABLE_NAMES.guardTag.key, Value: STABLE_NAMES.guardTag.value });
  });

  it('is clean under cdk-nag', () => {
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((p) => p.validateScope(app).violations);
    expect(violations).toEqual([]);
  });

  it('is deployed in us-east-1 and each stsAlertRegions region, never in the broker region itself', () => {
    expect(companionRegions('eu-west-1', [])).toEqual(['us-east-1']);
    expect(companionRegions('us-east-1', [])).toEqual([]);
    expect(companionRegions('eu-west-1', 'ap-south-1,eu-west-1')).toEqual(['us-east-1', 'ap-south-1']);
    expect(() => companionRegions('eu-west-1', ['mars'])).toThrow(/stsAlertRegions entry "mars" is not a region/);
    expect([companionStackName('us-east-1'), companionStackName('ap-south-1')]).toEqual([
      `${STABLE_NAMES.stack}GlobalEvents`,
      `${STABLE_NAMES.stack}StsEvents-ap-south-1`,
    ]);
  });

  it('the broker region then alerts on the forwarded events (their region stays us-east-1)', () => {
    expect(
      alerts(
        {
          service: 'iam',
          eventName: 'UpdateAssumeRolePolicy',
          identity: admin,
          requestParameters: { roleName: STABLE_NAMES.functionRole('unlockCode', region) },
          readOnly: false,
        },
        'us-east-1',
      ),
    ).toEqual(['GuardedRoleChanged']);
  });
});

describe('alerts the topic would never deliver still surface', () => {
  it('every alert rule keeps what it cannot deliver (a disabled alerts key) in a dead-letter queue that the alerts key does not encrypt, watched by an alarm', () => {
    const targets = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets?.[0]?.InputTransformer)
      .map((r) => r.Properties.Targets[0]);
    expect(targets.length).toBeGreaterThan(15);
    const dlqIds = new Set(targets.map((t) => t.DeadLetterConfig.Arn['Fn::GetAtt'][0]));
    expect(dlqIds.size).toBe(1);
    const dlq = template.Resources[[...dlqIds][0]];
    expect(dlq.Properties.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties.KmsMasterKeyId).toBeUndefined();
    const alarm = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties.Dimensions ?? []).includes([...dlqIds][0]),
    );
    expect(alarm).toBeDefined();
  });
});
