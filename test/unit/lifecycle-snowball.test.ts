/** The lifecycle against Snowball's own behaviour: foreign regions' jobs, main export jobs, MID ids, failing jobs, time budgets. */
import { DescribeJobCommand, ListJobsCommand, SnowballClient } from '@aws-sdk/client-snowball';
import { upstreamUnavailable } from '../../lambda/shared/errors';
import { JobMemory } from '../../lambda/shared/job-memory';
import { actOnJob, type VaultLifecycle } from '../../lambda/shared/reconcile-pass';
import { jobIdOfNotification, notificationEntry } from '../../lambda/shared/triggers';
import { captureLogs } from '../helpers/log-capture';
import { mockSnowball } from '../helpers/snowball-mock';
import { daysAgo, entry, fakeVault, jid, NOW, pass } from '../helpers/lifecycle-fixtures';

const logs = captureLogs();
const snowball = mockSnowball();
beforeEach(() => {
  snowball.reset();
});

describe('a lifecycle that fits Snowball', () => {
  const mid = (n: number) => `MID${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const keyIn = (region: string) => ({ KmsKeyARN: `arn:aws:kms:${region}:123456789012:key/k` });

  it("captures only this region's jobs: a job of another US region is recognised once and never costs a slot again", async () => {
    snowball
      .on(ListJobsCommand)
      .resolves({ JobListEntries: [entry(1, 'WithCustomer', 3), entry(2, 'WithCustomer', 2), entry(3, 'WithCustomer', 1)] });
    snowball.on(DescribeJobCommand, { JobId: jid(1) }).resolves({ JobMetadata: { JobId: jid(1), ...keyIn('us-west-2') } });
    snowball
      .on(DescribeJobCommand, { JobId: jid(2) })
      .rejects(Object.assign(new Error('no such job here'), { name: 'InvalidResourceException' }));
    snowball.on(DescribeJobCommand, { JobId: jid(3) }).resolves({ JobMetadata: { JobId: jid(3), ...keyIn('eu-west-1') } });
    const memory = new JobMemory();
    const { vault, done } = fakeVault();
    expect(await pass(vault, 1, undefined, { memory })).toMatchObject({ captured: 1, foreign: 2, deferred: 0 });
    expect(done).toEqual([`capture ${jid(3)}`]);
    const describes = () => (snowball.calls() as { args: unknown[] }[]).filter((c) => c.args[0] instanceof DescribeJobCommand).length;
    const before = describes();
    const next = fakeVault({ [jid(3)]: 'live' });
    expect(await pass(next.vault, 1, undefined, { memory })).toMatchObject({ captured: 0, foreign: 2, skipped: 1 });
    expect(describes()).toBe(before);
  });

  it('skips export main jobs (IsMaster): they have no device and no credentials', async () => {
    snowball
      .on(ListJobsCommand)
      .resolves({ JobListEntries: [{ ...entry(1, 'WithCustomer'), JobId: mid(1), IsMaster: true }, entry(2, 'WithCustomer')] });
    const { vault, done } = fakeVault();
    expect(await pass(vault)).toMatchObject({ seen: 1, captured: 1 });
    expect(done).toEqual([`capture ${jid(2)}`]);
  });

  it('captures a job whose id starts with MID', async () => {
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [{ ...entry(1, 'WithCustomer'), JobId: mid(1) }] });
    const { vault, done } = fakeVault();
    await pass(vault);
    expect(done).toEqual([`capture ${mid(1)}`]);
  });

  it('lets no failing job starve the others: 25 failing jobs, a fresh one is still captured, and failing ones back off', async () => {
    const failing = Array.from({ length: 25 }, (_, i) => entry(i + 1, 'WithCustomer', 100 - i));
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [...failing, entry(99, 'WithCustomer', 1)] });
    const memory = new JobMemory();
    const { vault, done } = fakeVault({}, (id) => (id === jid(99) ? undefined : upstreamUnavailable()));
    expect(await pass(vault, 25, undefined, { memory })).toMatchObject({ captured: 1, failed: 25 });
    expect(done).toEqual([`capture ${jid(99)}`]);
    expect(await pass(vault, 25, undefined, { memory })).toMatchObject({ failed: 0, backingOff: 25 });
    const later = { memory, now: () => new Date(NOW.getTime() + 16 * 60_000) };
    expect(await pass(vault, 25, undefined, later)).toMatchObject({ failed: 25, backingOff: 0 });
  });

  it('starts no step without the time it may take, and reports what it deferred', async () => {
    snowball
      .on(ListJobsCommand)
      .resolves({ JobListEntries: [entry(1, 'WithCustomer', 3), entry(2, 'WithCustomer', 2), entry(3, 'WithCustomer', 1)] });
    let left = 60_000;
    const { vault, done } = fakeVault();
    const timed: VaultLifecycle = {
      ...vault,
      capture: async (id) => {
        await vault.capture(id);
        left -= 20_000;
      },
    };
    const summary = await pass(timed, 25, undefined, { remainingMs: () => left, stepBudgetMs: 25_000 });
    expect(summary).toMatchObject({ captured: 2, deferred: 1, stoppedBy: 'time', deferredJobIds: [jid(3)] });
    expect(done).toHaveLength(2);
    expect(logs.text()).toContain('"stoppedBy":"time"');
  });

  it('takes the id in parentheses: a job name holding another id does not stand in for the job', () => {
    expect(jobIdOfNotification(`Your job copy of ${jid(1)} (${jid(2)}) is now in the WithCustomer state.`)).toBe(jid(2));
    expect(jobIdOfNotification(`Your job (${jid(1)}) again (${mid(3)}) is now in the Complete state.`)).toBe(mid(3));
    expect(jobIdOfNotification(`Your job ${jid(1)} is now in the Complete state.`)).toBeUndefined();
  });

  it("answers a notification about another region's job as foreign, without acting on it", async () => {
    snowball
      .on(DescribeJobCommand)
      .resolves({ JobMetadata: { JobId: jid(4), JobState: 'WithCustomer', CreationDate: daysAgo(2), ...keyIn('us-east-2') } });
    const { vault, done } = fakeVault();
    expect(await actOnJob(new SnowballClient({ region: 'eu-west-1' }) as never, vault, jid(4))).toBe('foreign-job');
    expect(done).toEqual([]);
  });

  it('hands back, unstarted, the messages of a batch its time cannot fit', async () => {
    snowball.on(DescribeJobCommand).resolves({ JobMetadata: { JobId: jid(1), JobState: 'WithCustomer', CreationDate: daysAgo(5) } });
    let left = 40_000;
    const { vault } = fakeVault();
    const timed: VaultLifecycle = {
      ...vault,
      capture: async (id) => {
        await vault.capture(id);
        left -= 20_000;
      },
    };
    const handler = notificationEntry(new SnowballClient({ region: 'eu-west-1' }) as never, () => timed);
    const event = { Records: [1, 2, 3].map((n) => ({ messageId: `m${n}`, body: `Your job x (${jid(n)}) is now WithCustomer.` })) } as never;
    expect(await handler(event, { getRemainingTimeInMillis: () => left })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }],
    });
  });
});
