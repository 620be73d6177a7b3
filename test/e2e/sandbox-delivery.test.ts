import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { manifestObjectKey } from '../../contract/vault-layout';
import { stackResourceName } from '../../policies/service-publishers';
import { SANDBOX_STACK } from '../../sandbox/alarms';
import { demoJob } from '../../sandbox/jobs';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';
import { control } from '../helpers/sandbox-control';

/**
 * The sandbox delivers alarm notifications and Snowball's job notifications through the same
 * decisions AWS makes: the topic's policy and its key's, from the statements the stack writes.
 * A missing grant shows as an undelivered message, never as a silent success.
 */
captureLogs();
let open: Sandbox;
let closed: Sandbox;

beforeAll(async () => {
  [open, closed] = await Promise.all([
    startSandbox({ port: 0 }),
    // The same sandbox with topics that admit no service: what a missing grant does.
    startSandbox({ port: 0, publishers: { jobNotifications: [], alerts: [] } }),
  ]);
});
afterAll(() => Promise.all([open?.stop(), closed?.stop()]));

const alerts = async (s: Sandbox) => (await fetch(`${s.info.adminUrl}alerts`, { signal: AbortSignal.timeout(5_000) })).json();
const addJob = async (s: Sandbox, state: string): Promise<string> => (await control(s, 'jobs', { state, createdDaysAgo: 3 })).jobId;

describe('Snowball job notifications', () => {
  it('reach the queues when the topic admits importexport.amazonaws.com for the job (positive control)', async () => {
    const job = await addJob(open, 'InTransitToCustomer');
    await control(open, `jobs/${job}/state`, { state: 'WithCustomer' });
    await open.notifications.settled();
    expect((await alerts(open)).undelivered).toEqual([]);
    expect(open.s3.objects.has(manifestObjectKey(job))).toBe(true);
  });

  it('are listed as undelivered, and capture nothing, when the topic does not admit Snowball', async () => {
    const job = await addJob(closed, 'InTransitToCustomer');
    await control(closed, `jobs/${job}/state`, { state: 'WithCustomer' });
    await closed.notifications.settled();
    expect(closed.s3.objects.has(manifestObjectKey(job))).toBe(false);
    const { undelivered } = await alerts(closed);
    expect(undelivered).toEqual([
      expect.objectContaining({
        service: 'importexport.amazonaws.com',
        sourceArn: expect.stringContaining(`:job/${job}`),
        reason: expect.stringContaining('topic policy'),
      }),
    ]);
  });
});

describe('alarm notifications', () => {
  const failAPass = async (s: Sandbox) => {
    await control(s, 'faults', { faults: ['malformedUnlockCode'] });
    await addJob(s, 'WithCustomer');
    await control(s, 'reconcile', {});
    await control(s, 'faults', { faults: [] });
  };
  const alarmName = stackResourceName(SANDBOX_STACK, 'UnlockCodeReconcileFailed');

  it("reach the alerts when a reconcile pass fails on a job and the topic admits the stack's alarms", async () => {
    await failAPass(open);
    expect((await alerts(open)).alerts).toEqual(
      expect.arrayContaining([expect.objectContaining({ alert: 'AlarmStateChange', alarm: alarmName, state: 'ALARM' })]),
    );
  });

  it('are listed as undelivered, not alerted, when the topic does not admit cloudwatch.amazonaws.com', async () => {
    await failAPass(closed);
    const seen = await alerts(closed);
    expect(seen.alerts.filter((a: { alert: string }) => a.alert === 'AlarmStateChange')).toEqual([]);
    expect(seen.undelivered).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'cloudwatch.amazonaws.com', sourceArn: expect.stringContaining(`alarm:${alarmName}`) }),
      ]),
    );
  });
});

describe('the S3 stand-in, as S3', () => {
  it('answers If-Match against a key behind a delete marker with 404 NoSuchKey, not 412', async () => {
    const env = open.functionEnv.manifest;
    const s3 = new S3Client({
      region: open.info.region,
      endpoint: open.s3.endpoint,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
    });
    const Key = manifestObjectKey('JID00000000-0000-4000-8000-00000000abcd');
    const put = await s3.send(new PutObjectCommand({ Bucket: open.s3.bucket, Key, Body: Buffer.from('first') }));
    await s3.send(new DeleteObjectCommand({ Bucket: open.s3.bucket, Key }));
    const conditional = s3.send(new PutObjectCommand({ Bucket: open.s3.bucket, Key, Body: Buffer.from('second'), IfMatch: put.ETag }));
    await expect(conditional).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });
});

describe('the lifecycle against the Snowball stand-in', () => {
  it("captures a MID job, skips an export main job, and leaves another region's job alone without costing it a slot", async () => {
    const mid = demoJob('MID5c1e0e2a-7b3d-4c1e-9a8b-5d6f7e8a9b77', 'WithCustomer', 2);
    const master = Object.assign(demoJob('MID6d2f1f3b-8c4e-4d2f-8b9c-6e7f8a9b0c88', 'WithCustomer', 2), { isMaster: true });
    const foreign = Object.assign(demoJob('JID7e3a2a4c-9d5f-4e3a-9cad-7f8a9b0c1d99', 'WithCustomer', 1), { region: 'us-west-2' });
    for (const job of [mid, master, foreign]) open.snowball.jobs.set(job.jobId, job);
    const first = await control(open, 'reconcile', {});
    expect(first.manifest).toMatchObject({ foreign: 1 });
    const again = await control(open, 'reconcile', {});
    expect(again.manifest).toMatchObject({ foreign: 1, failed: 0 });
    for (const job of [master, foreign]) expect(open.s3.objects.has(manifestObjectKey(job.jobId))).toBe(false);
    const read = await signedCall(
      `${open.info.apiUrl.replace(/\/$/, '')}/jobs/${mid.jobId}/unlock-code`,
      open.principals.unlockCode,
      open.info.region,
    );
    expect(read.status).toBe(200);
    expect(read.json().unlockCode).toBe(mid.unlockCode);
  });
});
