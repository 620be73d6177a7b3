import { CONTEXT_KEYS, ConfigError, flag, operatorPrincipalList, optionalRoleArn, principalList, stringList } from './config';
import { DEFAULTS } from '../contract/deployment';
import type { GuardrailsPolicyInput } from '../policies/guardrails-names';

/** `shared`: the broker shares its account (targeted denies); `sealed`: a dedicated account (deny all but an allowlist). */
export type GuardrailsMode = 'shared' | 'sealed';
export const GUARDRAILS_MODES: readonly GuardrailsMode[] = ['shared', 'sealed'];

/** What the optional guardrails stack is deployed with (in the organisation's management account). */
export interface GuardrailsConfig extends GuardrailsPolicyInput {
  readonly mode: GuardrailsMode;
  /** Accounts, OUs or the root the SCPs are attached to. */
  readonly targetIds: string[];
}

export const GUARDRAILS_KEYS = {
  enabled: 'guardrails',
  mode: 'guardrailsMode',
  targetIds: 'guardrailsTargetIds',
  brokerAccountId: 'brokerAccountId',
  brokerRegions: 'brokerRegions',
  breakGlassRoleArn: 'breakGlassRoleArn',
  breakGlassPrincipalArns: 'breakGlassPrincipalArns',
  deployerPrincipalArns: 'deployerPrincipalArns',
  jobCreatorPrincipalArns: 'jobCreatorPrincipalArns',
  snowballJobRoleArns: 'snowballJobRoleArns',
  secretPrefix: 'secretPrefix',
  bootstrapQualifier: '@aws-cdk/core:bootstrapQualifier',
} as const;

/** An account id, an OU id or an organisation root id, as Organizations names attachment targets. */
const TARGET_ID = /^(?:\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

function targetIds(raw: unknown): string[] {
  const ids = stringList(GUARDRAILS_KEYS.targetIds, raw, 'account, OU or root ids');
  if (ids.length === 0) {
    throw new ConfigError(
      `${GUARDRAILS_KEYS.targetIds} is empty: name the account (123456789012), OU (ou-…) or root (r-…) the SCP is attached to.`,
    );
  }
  const bad = ids.find((id) => !TARGET_ID.test(id));
  if (bad) throw new ConfigError(`${GUARDRAILS_KEYS.targetIds} entry "${bad}" is not an account id, OU id (ou-…) or root id (r-…).`);
  return ids;
}

function accountId(raw: unknown): string {
  if (typeof raw !== 'string' || !/^\d{12}$/.test(raw)) {
    throw new ConfigError(
      `${GUARDRAILS_KEYS.brokerAccountId} must be the 12-digit id of the account the broker is deployed in, got ${JSON.stringify(raw)}.`,
    );
  }
  return raw;
}

function mode(raw: unknown): GuardrailsMode {
  const value = raw ?? 'shared';
  if (!GUARDRAILS_MODES.includes(value as GuardrailsMode)) {
    throw new ConfigError(
      `${GUARDRAILS_KEYS.mode} must be "shared" (the broker shares its account) or "sealed" (a dedicated broker account), got ${JSON.stringify(raw)}.`,
    );
  }
  return value as GuardrailsMode;
}

function regions(raw: unknown): string[] {
  const list = stringList(GUARDRAILS_KEYS.brokerRegions, raw ?? ['us-east-1'], 'AWS regions');
  const bad = list.find((r) => !REGION.test(r));
  if (list.length === 0 || bad !== undefined) {
    throw new ConfigError(
      `${GUARDRAILS_KEYS.brokerRegions} must list the regions the broker is deployed in, like ["eu-west-1"]${bad ? `; "${bad}" is not a region` : ''}.`,
    );
  }
  return list;
}

function deployers(raw: unknown): string[] {
  const list = principalList(GUARDRAILS_KEYS.deployerPrincipalArns, raw);
  if (list.length === 0) {
    throw new ConfigError(
      `${GUARDRAILS_KEYS.deployerPrincipalArns} is empty: name who may assume the CDK bootstrap roles of the broker account and so deploy it ` +
        '(e.g. ["arn:aws:iam::111122223333:role/BrokerPipeline"]); with the guardrails nobody else may.',
    );
  }
  return list;
}

/** The guardrails stack's configuration, or undefined when `guardrails` is not true. */
export function parseGuardrailsConfig(context: (key: string) => unknown): GuardrailsConfig | undefined {
  if (!flag(GUARDRAILS_KEYS.enabled, context(GUARDRAILS_KEYS.enabled))) return undefined;
  const qualifier = context(GUARDRAILS_KEYS.bootstrapQualifier);
  return {
    mode: mode(context(GUARDRAILS_KEYS.mode)),
    targetIds: targetIds(context(GUARDRAILS_KEYS.targetIds)),
    brokerAccountId: accountId(context(GUARDRAILS_KEYS.brokerAccountId)),
    brokerRegions: regions(context(GUARDRAILS_KEYS.brokerRegions)),
    secretPrefix: (context(GUARDRAILS_KEYS.secretPrefix) as string | undefined) ?? DEFAULTS.secretPrefix,
    bootstrapQualifier: typeof qualifier === 'string' ? qualifier : undefined,
    deployerPrincipalArns: deployers(context(GUARDRAILS_KEYS.deployerPrincipalArns)),
    operatorPrincipalArns: {
      manifest: operatorPrincipalList(CONTEXT_KEYS.manifestOperatorPrincipals, context(CONTEXT_KEYS.manifestOperatorPrincipals)),
      unlockCode: operatorPrincipalList(CONTEXT_KEYS.unlockCodeOperatorPrincipals, context(CONTEXT_KEYS.unlockCodeOperatorPrincipals)),
    },
    breakGlassRoleArn: optionalRoleArn(GUARDRAILS_KEYS.breakGlassRoleArn, context(GUARDRAILS_KEYS.breakGlassRoleArn)),
    breakGlassPrincipalArns: principalList(GUARDRAILS_KEYS.breakGlassPrincipalArns, context(GUARDRAILS_KEYS.breakGlassPrincipalArns)),
    jobCreatorPrincipalArns: principalList(GUARDRAILS_KEYS.jobCreatorPrincipalArns, context(GUARDRAILS_KEYS.jobCreatorPrincipalArns)),
    snowballJobRoleArns: principalList(GUARDRAILS_KEYS.snowballJobRoleArns, context(GUARDRAILS_KEYS.snowballJobRoleArns)),
  };
}
