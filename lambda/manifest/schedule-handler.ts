import { once } from '../shared/env';
import { reconcileEntry } from '../shared/triggers';
import { clients } from './clients';
import { manifestLifecycle } from './lifecycle-steps';
import { settingsFromEnv } from './settings';

const settings = once(() => settingsFromEnv(process.env));

/** Scheduled: one reconcile pass of this vault against Snowball's job list. */
export const handler = reconcileEntry(
  clients.snowball,
  () => manifestLifecycle(clients, settings()),
  () => settings().maxJobsPerPass,
);
