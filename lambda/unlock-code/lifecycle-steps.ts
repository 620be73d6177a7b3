import { unlockCodeSecretName } from '../../contract/vault-layout';
import { errorName } from '../shared/aws-errors';
import { mapLimit, type Holding } from '../shared/job-steps';
import { auditRetirement, log } from '../shared/log';
import type { VaultLifecycle } from '../shared/reconcile-pass';
import { brokerUnlockCode, locate, type UnlockCodeClients, type UnlockCodeSettings } from './capture';
import type { UnlockCodeLifecycleSettings } from './settings';
import { describeSecret, ensurePolicy, foreignReason, scheduleDeletion, type SecretState } from './secrets-manager';

/** What the unlock-code vault holds for one job, as the fleet status shows it. */
export interface UnlockCodeHolding {
  readonly holding: Holding;
  readonly versionId?: string;
  readonly fetchedAt?: string;
}

function holdingOf(state: SecretState | undefined, foreign: boolean): UnlockCodeHolding {
  // A secret the broker did not create holds nothing of the broker's: capturing it is refused (409 ForeignSecret) and reported.
  if (!state || foreign) return { holding: 'none' };
  if (state.scheduledForDeletion) return { holding: 'retired', versionId: state.currentVersionId, fetchedAt: state.lastChangedAt };
  if (!state.currentVersionId) return { holding: 'none' };
  return { holding: 'live', versionId: state.currentVersionId, fetchedAt: state.lastChangedAt };
}

/** DescribeSecret for each job, a few at a time: no secret value is ever read for this. */
export async function unlockCodeHoldings(
  clients: Pick<UnlockCodeClients, 'secrets'>,
  settings: UnlockCodeSettings,
  jobIds: readonly string[],
) {
  const states = await mapLimit(jobIds, 16, (jobId) => describeSecret(clients.secrets, unlockCodeSecretName(settings.secretPrefix, jobId)));
  return new Map(
    jobIds.map((jobId, i) => {
      const state = states[i];
      return [jobId, holdingOf(state, state !== undefined && foreignReason(state, locate(settings, jobId)) !== undefined)];
    }),
  );
}

/**
 * Re-applies the broker's resource policy to each live secret the broker created whose policy was
 * removed or altered, and reports each one (a foreign secret is left alone: it is never adopted).
 */
async function reprotect(
  clients: Pick<UnlockCodeClients, 'secrets'>,
  settings: UnlockCodeLifecycleSettings,
  jobIds: readonly string[],
): Promise<void> {
  await mapLimit(jobIds, 16, async (jobId) => {
    const at = locate(settings, jobId);
    const state = await describeSecret(clients.secrets, at.name);
    if (!state || state.scheduledForDeletion || foreignReason(state, at) !== undefined) return;
    // One secret's failure must not stop the pass: the next pass checks it again.
    const outcome = await ensurePolicy(clients.secrets, state.arn, at).catch((err: unknown) => {
      log.warn({ event: 'unlock-code-secret-policy-check-failed', jobId, errorName: errorName(err) });
      return 'kept' as const;
    });
    if (outcome !== 'kept') log.warn({ event: 'alert:unlock-code-secret-policy-reapplied', jobId, outcome });
  });
}

/** The unlock-code function's half of the lifecycle. */
export function unlockCodeLifecycle(clients: UnlockCodeClients, settings: UnlockCodeLifecycleSettings): VaultLifecycle {
  return {
    vault: 'unlockCode',
    holdings: async (jobIds) => {
      const holdings = await unlockCodeHoldings(clients, settings, jobIds);
      await reprotect(
        clients,
        settings,
        jobIds.filter((id) => holdings.get(id)?.holding === 'live'),
      );
      return new Map([...holdings].map(([id, h]) => [id, h.holding]));
    },
    capture: async (jobId) => {
      await brokerUnlockCode(clients, settings, jobId);
    },
    retire: async (jobId, reason) => {
      const state = await describeSecret(clients.secrets, unlockCodeSecretName(settings.secretPrefix, jobId));
      // Never touch what the broker did not create, not even to retire it.
      if (!state || state.scheduledForDeletion || foreignReason(state, locate(settings, jobId)) !== undefined) return;
      await scheduleDeletion(clients.secrets, state.arn, settings.retireRecoveryDays);
      auditRetirement('retire-unlock-code', jobId, reason);
    },
  };
}
