import { once } from '../shared/env';
import { notificationEntry } from '../shared/triggers';
import { clients } from './clients';
import { unlockCodeLifecycle } from './lifecycle-steps';
import { settingsFromEnv } from './settings';

const settings = once(() => settingsFromEnv(process.env));

/** From this vault's queue of Snowball job notifications: act on the job each one names. */
export const handler = notificationEntry(clients.snowball, () => unlockCodeLifecycle(clients, settings()));
