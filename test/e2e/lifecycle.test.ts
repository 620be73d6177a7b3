import { routePath } from '../../contract/api';
import { VAULTS, type OperatorKind } from '../../contract/vaults';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';
import { control } from '../helpers/sandbox-control';

/** Both vaults kept in step with Snowball by the schedule and the job notifications, with no POST. */
const logs = captureLogs();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.stop());

const base = (s: Sandbox) => s.info.apiUrl.replace(/\/$/, '');
const operator = (s: Sandbox, kind: OperatorKind) => s.principals[kind];
const read = (s: Sandbox, kind: OperatorKind, jobId: string) =>
  signedCall(`${base(s)}${routePath(kind, jobId)}`, operator(s, kind), s.info.region);
const fleet = async (s: Sandbox, kind: OperatorKind, who = operator(s, kind)) =>
  signedCall(`${base(s)}${VAULTS[kind].fleetRoute}`, who, s.info.region);
const addJob = async (s: Sandbox, state: string, createdDaysAgo = 10): Promise<string> =>
  (await control(s, 'jobs', { state, createdDaysAgo })).jobId;
const moveJob = async (s: Sandbox, jobId: string, state: string) => {
  await control(s, `jobs/${jobId}/state`, { state });
  await s.notifications.settled();
};
const entry = async (s: Sandbox, kind: OperatorKind, jobId: string) =>
  (await fleet(s, kind)).json().jobs.find((j: { jobId: string }) => j.jobId === jobId);

describe('capture through the job notification', () => {
  it('a job moved to WithCustomer becomes readable by both operators with no POST', async () => {
    const job = await addJob(sandbox, 'InTransitToCustomer');
    expect((await read(sandbox, 'unlockCode', job)).status).toBe(404);
    await moveJob(sandbox, job, 'WithCustomer');
    const manifest = await read(sandbox, 'manifest', job);
    expect(manifest.body.equals(sandbox.snowball.jobs.get(job)!.manifest)).toBe(true);
    expect((await read(sandbox, 'unlockCode', job)).json().unlockCode).toBe(sandbox.snowball.jobs.get(job)!.unlockCode);
  });

  it('a job moved to Complete is retired: the code scheduled for deletion, the manifest behind a delete marker', async () => {
    const job = await addJob(sandbox, 'InTransitToCustomer');
    await moveJob(sandbox, job, 'WithCustomer');
    await moveJob(sandbox, job, 'Complete');
    const code = await read(sandbox, 'unlockCode', job);
    expect(code.status).toBe(404);
    expect(code.json().error.code).toBe('ScheduledForDeletion');
    expect((await read(sandbox, 'manifest', job)).status).toBe(404);
    expect(await entry(sandbox, 'manifest', job)).toMatchObject({ state: 'Complete', stored: false, retired: true });
    expect(await entry(sandbox, 'unlockCode', job)).toMatchObject({ state: 'Complete', stored: false, retired: true });
    const versions = sandbox.s3.objects.get(`manifests/${job}/manifest.bin`)!;
    expect(versions.map((v) => Boolean(v.deleteMarker))).toEqual([false, true]);
    expect(logs.text()).toMatch(new RegExp(`audit:retire-unlock-code.*${job}.*Complete`));
  });

  it('a retired job that is WithCustomer again is restored by the next capture', async () => {
    const job = await addJob(sandbox, 'WithCustomer');
    await moveJob(sandbox, job, 'Cancelled');
    await moveJob(sandbox, job, 'WithCustomer');
    expect((await read(sandbox, 'unlockCode', job)).status).toBe(200);
    expect((await read(sandbox, 'manifest', job)).status).toBe(200);
  });

  it('drops a message that names no job, without retrying it into the dead-letter queue', async () => {
    sandbox.notifications.publish('Your AWS account has a new notification preference.');
    await sandbox.notifications.settled();
    expect(sandbox.notifications.deadLetters).toEqual({ manifest: [], unlockCode: [] });
    expect(logs.text()).toContain('notification-without-job-id');
  });
});

describe('capture and retirement by the reconcile pass', () => {
  it('POST /__sandbox/reconcile runs one pass of both functions and answers their summaries', async () => {
    await control(sandbox, 'reconcile', {}); // settles what earlier tests left due
    const job = await addJob(sandbox, 'WithCustomer');
    const answer = await control(sandbox, 'reconcile', {});
    const seen = sandbox.snowball.jobs.size;
    for (const kind of ['manifest', 'unlockCode'] as const) {
      expect(answer[kind]).toEqual({
        seen,
        captured: 1,
        retired: 0,
        failed: 0,
        skipped: seen - 1,
        deferred: 0,
        foreign: 0,
        backingOff: 0,
        deferredJobIds: [],
      });
    }
    expect((await read(sandbox, 'unlockCode', job)).status).toBe(200);
    const again = await control(sandbox, 'reconcile', {});
    expect([again.manifest.captured, again.unlockCode.captured]).toEqual([0, 0]);
  });

  it('never captures a job created 400 days ago, and shows its credentials as expired', async () => {
    const job = await addJob(sandbox, 'WithCustomer', 400);
    await control(sandbox, 'reconcile', {});
    expect((await read(sandbox, 'unlockCode', job)).json().error.code).toBe('NothingStored');
    const row = await entry(sandbox, 'manifest', job);
    expect(row).toMatchObject({ state: 'WithCustomer', stored: false, retired: false, versionId: null, sha256: null });
    expect(Date.parse(row.credentialsExpireAt)).toBeLessThan(Date.now());
  });

  it('runs on an interval, as the deployed schedule does: a pass after a job reaches WithCustomer stores both halves', async () => {
    const timed = await startSandbox({ port: 0, captureIntervalMs: 200 });
    try {
      const job = await addJob(timed, 'WithCustomer');
      await timed.schedule.nextPass();
      expect((await read(timed, 'unlockCode', job)).status).toBe(200);
      expect((await read(timed, 'manifest', job)).status).toBe(200);
    } finally {
      await timed.stop();
    }
  });

  it('stops only after the pass in flight has finished, so no pass outlives the sandbox', async () => {
    const timed = await startSandbox({ port: 0, captureIntervalMs: 20, faults: ['slowSnowball'] });
    const failures: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: unknown) => void failures.push(String(line)));
    try {
      await new Promise((r) => setTimeout(r, 100)); // a pass has started and waits on a slow ListJobs
      timed.faults.set([]);
      await timed.stop();
      expect(failures.filter((l) => l.includes('reconcile-failed'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('fleet status', () => {
  it('lists every job Snowball lists for each operator, never a secret', async () => {
    await control(sandbox, 'reconcile', {});
    for (const kind of ['manifest', 'unlockCode'] as const) {
      const answer = await fleet(sandbox, kind);
      expect(answer.status).toBe(200);
      const jobs = answer.json().jobs;
      expect(jobs.map((j: { jobId: string }) => j.jobId).sort()).toEqual([...sandbox.snowball.jobs.keys()].sort());
      for (const secret of [...sandbox.snowball.jobs.values()].map((j) => j.unlockCode)) expect(answer.text).not.toContain(secret);
    }
    const withCustomer = [...sandbox.snowball.jobs.values()].find((j) => j.jobId === sandbox.info.jobs[0].jobId)!;
    expect(await entry(sandbox, 'manifest', withCustomer.jobId)).toMatchObject({
      state: 'WithCustomer',
      stored: true,
      retired: false,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      sizeBytes: withCustomer.manifest.length,
      createdAt: withCustomer.createdAt.toISOString(),
    });
  });

  it("refuses each operator the other vault's fleet route, and the outsider both", async () => {
    expect((await fleet(sandbox, 'unlockCode', sandbox.principals.manifest)).status).toBe(403);
    expect((await fleet(sandbox, 'manifest', sandbox.principals.unlockCode)).status).toBe(403);
    expect((await fleet(sandbox, 'manifest', sandbox.principals.outsider)).status).toBe(403);
  });
});
