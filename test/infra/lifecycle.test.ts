import { Match } from 'aws-cdk-lib/assertions';
import { ENV, LIFECYCLE_STEP_BUDGET_MS, METRICS, OUTPUTS } from '../../contract/deployment';
import { synthBroker } from '../helpers/synth';

const { template } = synthBroker();
const raw = template.toJSON() as { Resources: Record<string, any> };
/** The logical id of the resource named `name` (CDK appends an 8-character hash). */
const idOf = (type: string, name: string) => Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === type && new RegExp(`^${name}[0-9A-F]{8}$`).test(id))!;
const fn = (prefix: string) => raw.Resources[idOf('AWS::Lambda::Function', prefix)].Properties;
const roleRef = (prefix: string) => ({ 'Fn::GetAtt': [idOf('AWS::IAM::Role', prefix), 'Arn'] });

describe('capture on a schedule', () => {
  it('runs a reconcile pass of each vault every captureIntervalMinutes, one pass at a time', () => {
    for (const vault of ['Manifest', 'UnlockCode']) {
      const reconcile = idOf('AWS::Lambda::Function', `Lifecycle${vault}Reconcile`);
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
    expect(Object.keys(off.Resources).filter((id) => /Reconcile/.test(id) && off.Resources[id].Type === 'AWS::Lambda::Function')).toHaveLength(0);
  });
});

describe('capture on the job notification', () => {
  it('is one CMK-encrypted topic, TLS only, that the account (job service roles) and the Snow service may publish to', () => {
    const keyId = idOf('AWS::KMS::Key', 'LifecycleJobNotificationKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const key = raw.Resources[keyId].Properties.KeyPolicy.Statement;
    expect(key).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'SnowballJobsPublish', Principal: { Service: 'importexport.amazonaws.com' } }),
      expect.objectContaining({ Sid: 'PublishThroughSnsOnly', Condition: { StringEquals: expect.objectContaining({ 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' }) } }),
    ]));
    template.hasOutput(OUTPUTS.jobNotificationTopicArn, {});
  });

  it('fans out to one queue per vault, each with a dead-letter queue after 5 receives', () => {
    for (const vault of ['Manifest', 'UnlockCode']) {
      const queue = raw.Resources[idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`)].Properties;
      expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}NotificationsDLQ`), 'Arn'] }, maxReceiveCount: 5 });
      expect(queue.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`), 'Arn'] } });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });
});

describe('time budgets', () => {
  it('hands each notification function batches that fit its timeout, from a queue whose visibility is six times that timeout', () => {
    for (const vault of ['Manifest', 'UnlockCode']) {
      const timeout = fn(`Lifecycle${vault}Notification`).Timeout;
      const queue = raw.Resources[idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`)].Properties;
      const mapping = Object.values(raw.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.EventSourceArn['Fn::GetAtt'][0] === idOf('AWS::SQS::Queue', `Lifecycle${vault}Notifications`))!.Properties;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
      expect(mapping.BatchSize * LIFECYCLE_STEP_BUDGET_MS).toBeLessThanOrEqual(timeout * 1000);
    }
  });

  it('alarms into the alerts topic on each lifecycle function\'s errors, both dead-letter queues and ReconcileFailed per vault', () => {
    const alarms = Object.values(raw.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
    const on = (metric: string, dimension: string, ref: unknown) => alarms.filter((a) => a.MetricName === metric && a.Dimensions?.some((d: any) => d.Name === dimension && JSON.stringify(d.Value) === JSON.stringify(ref)));
    for (const vault of ['Manifest', 'UnlockCode']) {
      for (const trigger of ['Reconcile', 'Notification']) expect(on('Errors', 'FunctionName', { Ref: idOf('AWS::Lambda::Function', `Lifecycle${vault}${trigger}`) })).toHaveLength(1);
      expect(on('ApproximateNumberOfMessagesVisible', 'QueueName', { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', `Lifecycle${vault}NotificationsDLQ`), 'QueueName'] })).toHaveLength(1);
    }
    expect(alarms.filter((a) => a.MetricName === METRICS.reconcileFailed).map((a) => a.Dimensions.find((d: any) => d.Name === METRICS.vaultDimension).Value).sort()).toEqual(['manifest', 'unlockCode']);
  });
});

describe('each trigger is the same function (same role, same environment), with its own entry', () => {
  it.each([
    ['Manifest', 'ManifestFunctionRole', ENV.manifestBucket],
    ['UnlockCode', 'UnlockCodeFunctionRole', ENV.retireRecoveryDays],
  ])('%s', (vault, role, envName) => {
    const api = fn(`${vault}Function`);
    for (const trigger of ['Reconcile', 'Notification']) {
      const t = fn(`Lifecycle${vault}${trigger}`);
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
    for (const [role, own] of [['ManifestFunctionRole', 'LifecycleManifestNotifications'], ['UnlockCodeFunctionRole', 'LifecycleUnlockCodeNotifications']]) {
      const resources = sqsStatements(role).map((s: any) => s.Resource);
      expect(resources).toEqual([{ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', own), 'Arn'] }]);
    }
  });

  it('keeps retired secrets recoverable for retireRecoveryDays', () => {
    expect(fn('UnlockCodeFunction').Environment.Variables[ENV.retireRecoveryDays]).toBe('30');
    const custom = synthBroker({ retireRecoveryDays: 7 }).template.toJSON() as { Resources: Record<string, any> };
    const unlock = Object.entries(custom.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('UnlockCodeFunction'))![1];
    expect(unlock.Properties.Environment.Variables[ENV.retireRecoveryDays]).toBe('7');
  });
});
