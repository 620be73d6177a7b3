import { DEFAULTS, ENV, RECOVERY_WINDOW_DAYS } from '../../contract/deployment';
import { SECRET_PREFIX_PATTERN } from '../../contract/vault-layout';
import { positiveIntEnv, requireEnv } from '../shared/env';
import type { UnlockCodeSettings } from './capture';

/** What the stack tells every unlock-code function (API, schedule, notification), read once. */
export interface UnlockCodeLifecycleSettings extends UnlockCodeSettings {
  readonly retireRecoveryDays: number;
  readonly maxJobsPerPass: number;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): UnlockCodeLifecycleSettings {
  const secretPrefix = requireEnv(env, ENV.unlockCodeSecretPrefix);
  if (!SECRET_PREFIX_PATTERN.test(secretPrefix)) throw new Error(`${ENV.unlockCodeSecretPrefix} is malformed`);
  const retireRecoveryDays = positiveIntEnv(env, ENV.retireRecoveryDays, DEFAULTS.retireRecoveryDays);
  const { min, max } = RECOVERY_WINDOW_DAYS;
  if (retireRecoveryDays < min || retireRecoveryDays > max) throw new Error(`${ENV.retireRecoveryDays} must be from ${min} to ${max}`);
  return {
    secretPrefix,
    kmsKeyArn: requireEnv(env, ENV.unlockCodeKeyArn),
    readerRoleArn: requireEnv(env, ENV.unlockCodeReaderRoleArn),
    brokerRoleArn: requireEnv(env, ENV.unlockCodeBrokerRoleArn),
    restorerArns: (env[ENV.unlockCodeRestorerArns] ?? '').split(',').filter(Boolean),
    retireRecoveryDays,
    maxJobsPerPass: DEFAULTS.reconcileMaxJobs,
  };
}
