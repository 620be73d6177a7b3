import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV, LIFECYCLE_STEP_BUDGET_MS, METRICS, OUTPUTS } from '../../contract/deployment';
import { functionLogicalIdPrefix, mapKinds, OPERATOR_KINDS, VAULTS, type OperatorKind, type Trigger } from '../../contract/vaults';
import { Lifecycle } from '../../lib/lifecycle';
import { VaultFunctions } from '../../lib/vault-functions';
import { synthBroker } from '../helpers/synth';

const { template } = synthBroker();
const raw = template.toJSON() as { Resources: Record<string, any> };
/** The logical id of the resource named `name` (CDK appends an 8-character hash). */
const idOf = (type: string, name: string) =>
  Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === type && new RegExp(`^${name}[0-9A-F]{8}$`).test(id))!;
/** The logical id of a vault's function for `trigger`. */
const fnId = (kind: OperatorKind, trigger: Trigger) => idOf('AWS::Lambda::Function', functionLogicalIdPrefix(kind, trigger));
const fn = (kind: OperatorKind, trigger: Trigger) => raw.Resources[fnId(kind, trigger)].Properties;
const roleRef = (prefix: string) => ({ 'Fn::GetAtt': [idOf('AWS::IAM::Role', prefix), 'Arn'] });

describe('capture on a schedule', () => {
  it('runs a reconcile pass of each vault every captureIntervalMinutes, one pass at a time', () => {
    for (const kind of OPERATOR_KINDS) {
      const reconcile = fnId(kind, 'schedule');
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(15 minutes)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcile, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
      });
      expect(raw.Resources[reconcile].Properties.ReservedConcurrentExecutions).toBe(1);
    }
    const custom = synthBroker({ captureIntervalMinutes: 60 }).template;
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('has no schedule (nor reconcile functions) with captureIntervalMinutes 0', () => {
    const off = synthBroker({ captureIntervalMinutes: 0 }).template.toJSON() as { Resources: Record<string, any> };
    expect(Object.values(off.Resources).filter((r) => r.Properties?.ScheduleExpression)).toHaveLength(0);
    const functions = Object.keys(off.Resources).filter((id) => off.Resources[id].Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(4);
    expect(functions.filter((id) => OPERATOR_KINDS.some((kind) => id.startsWith(functionLogicalIdPrefix(kind, 'schedule'))))).toHaveLength(
      0,
    );
  });
});

describe('capture on the job notification', () => {
  it('is one CMK-encrypted topic, TLS only, that the account (job service roles) and the Snow service may publish to', () => {
    const keyId = idOf('AWS::KMS::Key', 'LifecycleJobNotificationKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const key = raw.Resources[keyId].Properties.KeyPolicy.Statement;
    expect(key).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'SnowballJobsPublish', Principal: { Service: 'importexport.amazonaws.com' } }),
        expect.objectContaining({
          Sid: 'PublishThroughSnsOnly',
          Condition: { StringEquals: expect.objectContaining({ 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' }) },
        }),
      ]),
    );
    template.hasOutput(OUTPUTS.jobNotificationTopicArn, {});
  });

  it("fans out to one queue per vault, each with a dead-letter queue after 5 receives, feeding the vault's notification function", () => {
    for (const kind of OPERATOR_KINDS) {
      const vault = VAULTS[kind].name;
      const queue = raw.Resources[idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`)].Properties;
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}NotificationsDLQ`), 'Arn'] },
        maxReceiveCount: 5,
      });
      expect(queue.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`), 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`), 'Arn'] },
        FunctionName: { Ref: fnId(kind, 'notification') },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });
});

describe('time budgets', () => {
  it('hands each notification function batches that fit its timeout, from a queue whose visibility is six times that timeout', () => {
    for (const kind of OPERATOR_KINDS) {
      const vault = VAULTS[kind].name;
      const timeout = fn(kind, 'notification').Timeout;
      const queue = raw.Resources[idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`)].Properties;
      const mapping = Object.values(raw.Resources).find(
        (r) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          r.Properties.EventSourceArn['Fn::GetAtt'][0] === idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`),
      )!.Properties;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
      expect(mapping.BatchSize * LIFECYCLE_STEP_BUDGET_MS).toBeLessThanOrEqual(timeout * 1000);
    }
  });

  it("alarms into the alerts topic on each lifecycle function's errors, both dead-letter queues and ReconcileFailed per vault", () => {
    const alarms = Object.values(raw.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);
    const on = (metric: string, dimension: string, ref: unknown) =>
      alarms.filter(
        (a) =>
          a.MetricName === metric &&
          a.Dimensions?.some((d: any) => d.Name === dimension && JSON.stringify(d.Value) === JSON.stringify(ref)),
      );
    for (const kind of OPERATOR_KINDS) {
      const vault = VAULTS[kind].name;
      for (const trigger of ['schedule', 'notification'] as const)
        expect(on('Errors', 'FunctionName', { Ref: fnId(kind, trigger) })).toHaveLength(1);
      expect(
        on('ApproximateNumberOfMessagesVisible', 'QueueName', {
          'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}NotificationsDLQ`), 'QueueName'],
        }),
      ).toHaveLength(1);
    }
    expect(
      alarms
        .filter((a) => a.MetricName === METRICS.reconcileFailed)
        .map((a) => a.Dimensions.find((d: any) => d.Name === METRICS.vaultDimension).Value)
        .sort(),
    ).toEqual(['manifest', 'unlockCode']);
  });
});

describe('each trigger is the same function (same role, same environment), with its own entry', () => {
  it.each([
    ['manifest', 'ManifestFunctionRole', ENV.manifestBucket],
    ['unlockCode', 'UnlockCodeFunctionRole', ENV.retireRecoveryDays],
  ] as const)('%s', (kind, role, envName) => {
    const api = fn(kind, 'api');
    for (const trigger of ['schedule', 'notification'] as const) {
      const t = fn(kind, trigger);
      expect(t.Role).toEqual(roleRef(role));
      expect(t.Environment.Variables[envName]).toEqual(api.Environment.Variables[envName]);
    }
  });

  it('lets each role consume only its own queue', () => {
    const sqsStatements = (role: string) =>
      Object.values(raw.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === idOf('AWS::IAM::Role', role)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('sqs:')));
    for (const [role, own] of [
      ['ManifestFunctionRole', 'LifecycleManifestNotifications'],
      ['UnlockCodeFunctionRole', 'LifecycleUnlockCodeNotifications'],
    ]) {
      const resources = sqsStatements(role).map((s: any) => s.Resource);
      expect(resources).toEqual([{ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', own), 'Arn'] }]);
    }
  });

  it('keeps retired secrets recoverable for retireRecoveryDays', () => {
    expect(fn('unlockCode', 'api').Environment.Variables[ENV.retireRecoveryDays]).toBe('30');
    const custom = synthBroker({ retireRecoveryDays: 7 }).template.toJSON() as { Resources: Record<string, any> };
    const unlock = Object.entries(custom.Resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(functionLogicalIdPrefix('unlockCode', 'api')),
    )![1];
    expect(unlock.Properties.Environment.Variables[ENV.retireRecoveryDays]).toBe('7');
  });
});

describe("Lifecycle only attaches triggers; the functions are their vault's", () => {
  it("makes no function: each of the six is under its vault's VaultFunctions", () => {
    const functions = Object.keys(raw.Resources).filter((id) => raw.Resources[id].Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(6);
    expect(functions.filter((id) => id.startsWith('Lifecycle'))).toEqual([]);
    expect(functions.every((id) => OPERATOR_KINDS.some((kind) => id.startsWith(VAULTS[kind].functionsId)))).toBe(true);
  });

  it.each([
    ['a schedule function without an interval', true, 0],
    ['an interval without a schedule function', false, 15],
  ])('refuses %s, which would leave a function never run or a rule with no target', (_what, scheduled, captureIntervalMinutes) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Mismatch', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const functions = mapKinds(
      (kind) => new VaultFunctions(stack, VAULTS[kind].functionsId, { kind, roleName: `role-${kind}`, scheduled }),
    );
    expect(() => new Lifecycle(stack, 'Lifecycle', { functions, captureIntervalMinutes, keyAdmins: [] })).toThrow(
      /schedule function and captureIntervalMinutes/,
    );
  });
});
