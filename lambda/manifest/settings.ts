import { DEFAULTS, ENV } from '../../contract/deployment';
import { positiveIntEnv, requireEnv } from '../shared/env';
import type { ManifestSettings } from './capture';
import { isAcceptableExtraOrigin } from './download';

/** What the stack tells every manifest function (API, schedule, notification), read once. */
export interface ManifestLifecycleSettings extends ManifestSettings {
  readonly maxJobsPerPass: number;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): ManifestLifecycleSettings {
  const extraOrigin = env[ENV.manifestExtraOrigin] || undefined;
  if (extraOrigin !== undefined && !isAcceptableExtraOrigin(extraOrigin)) {
    throw new Error(`${ENV.manifestExtraOrigin} must be an https origin or an http loopback origin`);
  }
  return {
    bucket: requireEnv(env, ENV.manifestBucket),
    download: {
      maxBytes: DEFAULTS.manifestMaxBytes,
      timeoutMs: positiveIntEnv(env, ENV.manifestDownloadTimeoutMs, DEFAULTS.manifestDownloadTimeoutMs),
      extraOrigin,
    },
    maxJobsPerPass: DEFAULTS.reconcileMaxJobs,
  };
}
