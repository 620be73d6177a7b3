import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { DescribeJobCommand, ListJobsCommand, SnowballClient } from '@aws-sdk/client-snowball';
import { mockClient } from 'aws-sdk-client-mock';
import { BrokerError, throttled, upstreamUnavailable } from '../../lambda/shared/errors';
import { stepFor, type Holding } from '../../lambda/shared/job-steps';
import { actOnJob } from '../../lambda/shared/reconcile-pass';
import { jobIdOfNotification, notificationEntry } from '../../lambda/shared/triggers';
import { manifestHoldings } from '../../lambda/manifest/lifecycle-steps';
import { unlockCodeLifecycle } from '../../lambda/unlock-code/lifecycle-steps';
import { captureLogs } from '../helpers/log-capture';
import { mockSnowball } from '../helpers/snowball-mock';
import { DAY, daysAgo, entry, fakeVault, jid, NOW, pass } from '../helpers/lifecycle-fixtures';

const logs = captureLogs();
const snowball = mockSnowball();
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  snowball.reset();
  secrets.reset();
  s3.reset();
});

describe('the lifecycle decision', () => {
  it.each<[string, string, number, Holding, string]>([
    ['WithCustomer, nothing stored', 'WithCustomer', 10, 'none', 'capture'],
    ['WithCustomer, a retired copy', 'WithCustomer', 10, 'retired', 'capture'],
    ['WithCustomer, already live', 'WithCustomer', 10, 'live', 'nothing'],
    ['Complete, live', 'Complete', 10, 'live', 'retire'],
    ['Cancelled, live', 'Cancelled', 10, 'live', 'retire'],
    ['Complete, nothing stored', 'Complete', 10, 'none', 'nothing'],
    ['InTransitToCustomer', 'InTransitToCustomer', 10, 'none', 'nothing'],
    ['WithCustomer, one millisecond inside 360 days', 'WithCustomer', 360 - 1 / DAY, 'none', 'capture'],
    ['WithCustomer, exactly 360 days old', 'WithCustomer', 360, 'none', 'nothing'],
    ['WithCustomer, exactly 360 days old, live', 'WithCustomer', 360, 'live', 'retire'],
  ])('%s → %s', (_what, state, age, holding, expected) => {
    expect(stepFor({ state, createdAt: daysAgo(age) }, holding, NOW).do).toBe(expected);
  });

  it('names why it retires: Complete, Cancelled or Expired', () => {
    expect(stepFor({ state: 'Cancelled', createdAt: daysAgo(1) }, 'live', NOW)).toEqual({ do: 'retire', reason: 'Cancelled' });
    expect(stepFor({ state: 'WithCustomer', createdAt: daysAgo(400) }, 'live', NOW)).toEqual({ do: 'retire', reason: 'Expired' });
  });
});

describe('a reconcile pass', () => {
  it('follows every page of ListJobs', async () => {
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [entry(1, 'WithCustomer'), entry(2, 'Complete')], NextToken: 'p2' });
    snowball.on(ListJobsCommand, { NextToken: 'p2' }).resolves({ JobListEntries: [entry(3, 'WithCustomer')] });
    const { vault, done } = fakeVault();
    expect(await pass(vault)).toMatchObject({ seen: 3, captured: 2, skipped: 1 });
    expect(done).toEqual([`capture ${jid(1)}`, `capture ${jid(3)}`]);
  });

  it('acts on at most maxJobs jobs, oldest first, and defers the rest to the next pass', async () => {
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [1, 2, 3, 4, 5].map((n) => entry(n, 'WithCustomer', n)) });
    const { vault, done } = fakeVault();
    expect(await pass(vault, 2)).toEqual({
      seen: 5,
      captured: 2,
      retired: 0,
      failed: 0,
      skipped: 0,
      deferred: 3,
      foreign: 0,
      backingOff: 0,
      stoppedBy: 'limit',
      deferredJobIds: [jid(3), jid(2), jid(1)],
    });
    expect(done).toEqual([`capture ${jid(5)}`, `capture ${jid(4)}`]);
  });

  it("isolates one job's failure: the others are still captured, and the failure is counted", async () => {
    snowball
      .on(ListJobsCommand)
      .resolves({ JobListEntries: [entry(1, 'WithCustomer', 3), entry(2, 'WithCustomer', 2), entry(3, 'WithCustomer', 1)] });
    const { vault, done } = fakeVault({}, (id) => (id === jid(2) ? upstreamUnavailable() : undefined));
    expect(await pass(vault)).toMatchObject({ captured: 2, failed: 1 });
    expect(done).toHaveLength(2);
    expect(logs.text()).toContain(`"event":"reconcile-job-failed","vault":"unlockCode","jobId":"${jid(2)}","code":"UpstreamUnavailable"`);
  });

  it('backs off once on throttling, then ends the pass and defers what is left', async () => {
    snowball
      .on(ListJobsCommand)
      .resolves({ JobListEntries: [entry(1, 'WithCustomer', 3), entry(2, 'WithCustomer', 2), entry(3, 'WithCustomer', 1)] });
    const waits: number[] = [];
    const { vault } = fakeVault({}, (id) => (id === jid(2) ? throttled() : undefined));
    const summary = await pass(vault, 25, async (ms?: number) => void waits.push(ms!));
    expect(summary).toMatchObject({ captured: 1, failed: 0, deferred: 2 });
    expect(waits).toEqual([2000]);
  });

  it('counts a job that moved on before its step as skipped, not failed', async () => {
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [entry(1, 'WithCustomer')] });
    const { vault } = fakeVault({}, () => new BrokerError('JobNotWithCustomer', 'moved on'));
    expect(await pass(vault)).toMatchObject({ captured: 0, failed: 0, skipped: 1 });
  });

  it('ends with one summary line', async () => {
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [entry(1, 'Complete')] });
    await pass(fakeVault({ [jid(1)]: 'live' }).vault);
    const line = logs
      .text()
      .split('\n')
      .filter((l) => l.includes('"event":"reconcile-pass"'))
      .pop()!;
    expect(JSON.parse(line)).toMatchObject({ vault: 'unlockCode', seen: 1, captured: 0, retired: 1, failed: 0, skipped: 0, deferred: 0 });
  });
});

describe('retiring an unlock code', () => {
  const settings = {
    secretPrefix: 'snowball/unlock-code/',
    kmsKeyArn: 'k',
    readerRoleArn: 'r',
    brokerRoleArn: 'b',
    retireRecoveryDays: 14,
    maxJobsPerPass: 25,
  };
  const clients = () => ({
    snowball: new SnowballClient({ region: 'eu-west-1' }),
    secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
  });
  /** What DescribeSecret says of a secret the broker created for job `n`. */
  const ours = (n: number) => ({
    KmsKeyId: 'k',
    Tags: [
      { Key: 'snowball-job-id', Value: jid(n) },
      { Key: 'managed-by', Value: 'snowball-credential-broker' },
    ],
  });

  it('schedules the secret for deletion with the configured recovery window, and leaves an audit line', async () => {
    secrets.on(DescribeSecretCommand).resolves({ ARN: 'arn:secret', ...ours(7), VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    await unlockCodeLifecycle(clients() as never, settings).retire(jid(7), 'Expired');
    expect(secrets.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: 'arn:secret', RecoveryWindowInDays: 14 });
    expect(logs.text()).toMatch(new RegExp(`"event":"audit:retire-unlock-code","jobId":"${jid(7)}","reason":"Expired"`));
  });

  it('reads holdings without reading any value: live, retired or none', async () => {
    secrets
      .on(DescribeSecretCommand, { SecretId: `snowball/unlock-code/${jid(1)}` })
      .resolves({ ARN: 'a1', ...ours(1), VersionIdsToStages: { v: ['AWSCURRENT'] } });
    secrets
      .on(DescribeSecretCommand, { SecretId: `snowball/unlock-code/${jid(2)}` })
      .resolves({ ARN: 'a2', ...ours(2), DeletedDate: new Date(), VersionIdsToStages: { v: ['AWSCURRENT'] } });
    secrets
      .on(DescribeSecretCommand, { SecretId: `snowball/unlock-code/${jid(3)}` })
      .rejects(new SecretsManagerServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: {} }));
    secrets.on(GetResourcePolicyCommand).resolves({});
    secrets.on(PutResourcePolicyCommand).resolves({});
    const held = await unlockCodeLifecycle(clients() as never, settings).holdings([jid(1), jid(2), jid(3)]);
    expect([...held.values()]).toEqual(['live', 'retired', 'none']);
  });

  it('counts a secret the broker did not create as holding nothing, and never retires it', async () => {
    secrets
      .on(DescribeSecretCommand)
      .resolves({ ARN: 'a4', KmsKeyId: 'someone-elses-key', Tags: [], VersionIdsToStages: { v: ['AWSCURRENT'] } });
    const held = await unlockCodeLifecycle(clients() as never, settings).holdings([jid(4)]);
    expect([...held.values()]).toEqual(['none']);
    await unlockCodeLifecycle(clients() as never, settings).retire(jid(4), 'Complete');
    expect(secrets.commandCalls(DeleteSecretCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  });

  it('puts back a removed policy on each live secret of the broker during a pass, and reports it', async () => {
    secrets.on(DescribeSecretCommand).resolves({ ARN: 'a5', ...ours(5), VersionIdsToStages: { v: ['AWSCURRENT'] } });
    secrets.on(GetResourcePolicyCommand).resolves({ ARN: 'a5' });
    secrets.on(PutResourcePolicyCommand).resolves({ ARN: 'a5' });
    await unlockCodeLifecycle(clients() as never, settings).holdings([jid(5)]);
    expect(
      JSON.parse(secrets.commandCalls(PutResourcePolicyCommand)[0].args[0].input.ResourcePolicy!).Statement[0].Condition.ArnNotEquals[
        'aws:PrincipalArn'
      ],
    ).toBe('r');
    expect(logs.text()).toContain(`"event":"alert:unlock-code-secret-policy-reapplied","jobId":"${jid(5)}","outcome":"missing"`);
  });
});

describe('manifest holdings from the version listing', () => {
  it('follows every page and tells live from retired by the latest entry', async () => {
    const key = (n: number) => `manifests/${jid(n)}/manifest.bin`;
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: key(1), IsLatest: true },
        { Key: key(2), IsLatest: false },
      ],
      DeleteMarkers: [{ Key: key(2), IsLatest: true }],
      IsTruncated: true,
      NextKeyMarker: key(2),
      NextVersionIdMarker: 'v',
    });
    s3.on(ListObjectVersionsCommand, { KeyMarker: key(2), VersionIdMarker: 'v' } as never).resolves({
      Versions: [{ Key: key(3), IsLatest: true }],
      IsTruncated: false,
    });
    const held = await manifestHoldings(new S3Client({ region: 'eu-west-1' }), 'bucket', [jid(1), jid(2), jid(3), jid(4)]);
    expect(Object.fromEntries(held)).toEqual({ [jid(1)]: 'live', [jid(2)]: 'retired', [jid(3)]: 'live' });
  });
});

describe('job notifications', () => {
  const envelope = (message: string) =>
    JSON.stringify({
      Type: 'Notification',
      MessageId: 'm',
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      Subject: 'AWS Snow Family job status change',
      Message: message,
      Timestamp: '2026-11-25T10:00:00.000Z',
      SignatureVersion: '1',
      Signature: 'x',
      SigningCertURL: 'https://sns',
      UnsubscribeURL: 'https://sns',
    });

  it.each([
    ['an SNS envelope', envelope(`Your job migration-07 (${jid(9)}) is now in the WithCustomer state.`), jid(9)],
    ['raw prose', `Your job migration-07 (${jid(9)}) has shipped.`, jid(9)],
    ['an envelope without a job id', envelope('Your notification preferences changed.'), undefined],
    ['garbage', '{"not": "json"', undefined],
    ['an upper-case id (not a job id)', envelope('JID0000000A-0000-4000-8000-000000000000'), undefined],
  ])('finds the job id in %s', (_what, body, expected) => {
    expect(jobIdOfNotification(body)).toBe(expected);
  });

  const sqs = (...bodies: string[]) => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as never;

  it('acts on the job by its state from DescribeJob, drops messages without a job id, and reports failed ones for retry', async () => {
    snowball
      .on(DescribeJobCommand, { JobId: jid(1) })
      .resolves({ JobMetadata: { JobId: jid(1), JobState: 'WithCustomer', CreationDate: daysAgo(5) } });
    snowball
      .on(DescribeJobCommand, { JobId: jid(2) })
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const { vault, done } = fakeVault();
    const handler = notificationEntry(new SnowballClient({ region: 'eu-west-1' }) as never, () => vault);
    const answer = await handler(
      sqs(envelope(`job (${jid(1)}) now WithCustomer`), envelope('nothing here'), envelope(`job (${jid(2)}) changed`)),
    );
    expect(done).toEqual([`capture ${jid(1)}`]);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(logs.text()).not.toContain('nothing here');
  });

  it('treats a job Snowball does not know as nothing to do', async () => {
    snowball.on(DescribeJobCommand).rejects(Object.assign(new Error('no such job'), { name: 'InvalidResourceException' }));
    expect(await actOnJob(new SnowballClient({ region: 'eu-west-1' }) as never, fakeVault().vault, jid(3))).toBe('unknown-job');
  });
});
