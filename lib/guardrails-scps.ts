import type { GuardrailsConfig } from './guardrails-config';
import { sharedScps, type NamedScp } from '../policies/guardrails-policy';
import { sealedScps } from './guardrails-sealed';

/** The service control policies of the configured mode: what the guardrails stack deploys and `guardrails:print` prints. */
export function guardrailsScps(config: Pick<GuardrailsConfig, 'mode'> & Parameters<typeof sharedScps>[0]): NamedScp[] {
  return config.mode === 'sealed' ? sealedScps(config) : sharedScps(config);
}
