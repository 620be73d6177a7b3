import { alertPublishers, jobNotificationPublishers } from '../../policies/service-publishers';
import { admits, GuardedTopic } from '../../sandbox/delivery-policy';

/** The sandbox's judge of deliveries into its topics: the stack's statements, evaluated as IAM does. */
const where = { partition: 'aws', region: 'us-east-1', account: '000000000000' };
const alertsArn = 'arn:aws:sns:us-east-1:000000000000:SnowballCredentialBroker-Alerts';
const alerts = new GuardedTopic(
  { topicArn: alertsArn, account: where.account },
  alertPublishers({ ...where, stackName: 'SnowballCredentialBroker' }),
);
const jobs = new GuardedTopic(
  { topicArn: 'arn:aws:sns:us-east-1:000000000000:SnowballCredentialBroker-JobNotifications', account: where.account },
  jobNotificationPublishers(where),
);
const alarm = (account: string, name: string) => `arn:aws:cloudwatch:us-east-1:${account}:alarm:${name}`;

describe('the sandbox judges a delivery as the deployed topic and key would', () => {
  it("admits the stack's alarms and rules into the alerts topic", () => {
    expect(
      alerts.refusal('cloudwatch.amazonaws.com', alarm('000000000000', 'SnowballCredentialBroker-ManifestReconcileFailed'), '000000000000'),
    ).toBeUndefined();
    expect(
      alerts.refusal(
        'events.amazonaws.com',
        'arn:aws:events:us-east-1:000000000000:rule/SnowballCredentialBroker-VaultKeyChanged',
        '000000000000',
      ),
    ).toBeUndefined();
  });

  it("refuses another stack's alarm, another account's alarm and a service nobody named", () => {
    expect(alerts.refusal('cloudwatch.amazonaws.com', alarm('000000000000', 'SomeOtherStack-Errors'), '000000000000')).toMatch(
      /topic policy/,
    );
    expect(alerts.refusal('cloudwatch.amazonaws.com', alarm('999999999999', 'SnowballCredentialBroker-Api5xx'), '999999999999')).toMatch(
      /topic policy/,
    );
    expect(alerts.refusal('importexport.amazonaws.com', 'arn:aws:snowball:us-east-1:000000000000:job/JID1', '000000000000')).toMatch(
      /topic policy/,
    );
  });

  it("admits Snowball into the job-notification topic for this account's jobs in this region only", () => {
    expect(jobs.refusal('importexport.amazonaws.com', 'arn:aws:snowball:us-east-1:000000000000:job/JID1', '000000000000')).toBeUndefined();
    expect(jobs.refusal('importexport.amazonaws.com', 'arn:aws:snowball:us-east-1:999999999999:job/JID1', '999999999999')).toMatch(
      /topic policy/,
    );
    expect(jobs.refusal('cloudwatch.amazonaws.com', alarm('000000000000', 'SnowballCredentialBroker-Api5xx'), '000000000000')).toMatch(
      /topic policy/,
    );
  });

  it('lets an explicit Deny win, and reads IfExists and negated operators as IAM does', () => {
    const allow = {
      Effect: 'Allow',
      Principal: { Service: 's.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: '*',
      Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '1' } },
    };
    const request = (context: Record<string, string>) => ({
      service: 's.amazonaws.com',
      action: 'sns:Publish',
      resource: 'arn:t',
      context,
    });
    expect(admits([allow], request({}))).toBe(true);
    expect(admits([allow], request({ 'aws:SourceAccount': '2' }))).toBe(false);
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceAccount': '1' } },
    };
    expect(admits([allow, deny], request({}))).toBe(false);
    expect(admits([allow, deny], request({ 'aws:SourceAccount': '1' }))).toBe(true);
  });
});
