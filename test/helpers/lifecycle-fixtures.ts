import { SnowballClient } from '@aws-sdk/client-snowball';
import type { Holding } from '../../lambda/shared/job-steps';
import { JobMemory } from '../../lambda/shared/job-memory';
import { reconcilePass, type PassOptions, type VaultLifecycle } from '../../lambda/shared/reconcile-pass';

/** The lifecycle tests' clock, job ids and listing entries. */
export const NOW = new Date('2026-11-25T12:00:00Z');
export const DAY = 86_400_000;
export const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
export const jid = (n: number) => `JID${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
export const entry = (n: number, state: string, ageDays = 10) => ({ JobId: jid(n), JobState: state, CreationDate: daysAgo(ageDays) });

/** A vault whose holdings and steps the test controls, recording what the pass did. */
export function fakeVault(holdings: Record<string, Holding> = {}, fail: (jobId: string) => Error | undefined = () => undefined) {
  const done: string[] = [];
  const vault: VaultLifecycle = {
    vault: 'unlockCode',
    holdings: async (ids) => new Map(ids.filter((id) => holdings[id]).map((id) => [id, holdings[id]])),
    capture: async (jobId) => {
      const err = fail(jobId);
      if (err) throw err;
      done.push(`capture ${jobId}`);
    },
    retire: async (jobId, reason) => {
      done.push(`retire ${jobId} ${reason}`);
    },
  };
  return { vault, done };
}

/** One reconcile pass at NOW, with no real sleep and a fresh memory unless given. */
export const pass = (vault: VaultLifecycle, maxJobs = 25, sleep = async () => undefined, more: Partial<PassOptions> = {}) =>
  reconcilePass(new SnowballClient({ region: 'eu-west-1' }) as never, vault, {
    maxJobs,
    now: () => NOW,
    sleep,
    memory: new JobMemory(),
    ...more,
  });
