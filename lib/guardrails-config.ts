import { ConfigError, flag, optionalRoleArn, stringList } from './config';
import { DEFAULT_SECRET_PREFIX } from './contract';
import { cdkDeployRolePattern, type GuardrailsPolicyInput } from './guardrails-policy';

/** What the optional guardrails stack is deployed with (in the organisation's management account). */
export interface GuardrailsConfig extends GuardrailsPolicyInput {
  /** Accounts, OUs or the root the SCP is attached to. */
  readonly targetIds: string[];
}

export const GUARDRAILS_KEYS = {
  enabled: 'guardrails',
  targetIds: 'guardrailsTargetIds',
  brokerAccountId: 'brokerAccountId',
  deployRoleArn: 'guardrailsDeployRoleArn',
  breakGlassRoleArn: 'breakGlassRoleArn',
  secretPrefix: 'secretPrefix',
  bootstrapQualifier: '@aws-cdk/core:bootstrapQualifier',
} as const;

/** An account id, an OU id or an organisation root id, as Organizations names attachment targets. */
const TARGET_ID = /^(?:\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;

function targetIds(raw: unknown): string[] {
  const ids = stringList(GUARDRAILS_KEYS.targetIds, raw, 'account, OU or root ids');
  if (ids.length === 0) {
    throw new ConfigError(`${GUARDRAILS_KEYS.targetIds} is empty: name the account (123456789012), OU (ou-…) or root (r-…) the SCP is attached to.`);
  }
  const bad = ids.find((id) => !TARGET_ID.test(id));
  if (bad) throw new ConfigError(`${GUARDRAILS_KEYS.targetIds} entry "${bad}" is not an account id, OU id (ou-…) or root id (r-…).`);
  return ids;
}

function accountId(raw: unknown): string {
  if (typeof raw !== 'string' || !/^\d{12}$/.test(raw)) {
    throw new ConfigError(`${GUARDRAILS_KEYS.brokerAccountId} must be the 12-digit id of the account the broker is deployed in, got ${JSON.stringify(raw)}.`);
  }
  return raw;
}

/** The guardrails stack's configuration, or undefined when `guardrails` is not true. */
export function parseGuardrailsConfig(context: (key: string) => unknown): GuardrailsConfig | undefined {
  if (!flag(GUARDRAILS_KEYS.enabled, context(GUARDRAILS_KEYS.enabled))) return undefined;
  const brokerAccountId = accountId(context(GUARDRAILS_KEYS.brokerAccountId));
  const qualifier = context(GUARDRAILS_KEYS.bootstrapQualifier);
  return {
    targetIds: targetIds(context(GUARDRAILS_KEYS.targetIds)),
    brokerAccountId,
    secretPrefix: (context(GUARDRAILS_KEYS.secretPrefix) as string | undefined) ?? DEFAULT_SECRET_PREFIX,
    deployRoleArnPattern:
      optionalRoleArn(GUARDRAILS_KEYS.deployRoleArn, context(GUARDRAILS_KEYS.deployRoleArn)) ??
      cdkDeployRolePattern(brokerAccountId, typeof qualifier === 'string' ? qualifier : undefined),
    breakGlassRoleArn: optionalRoleArn(GUARDRAILS_KEYS.breakGlassRoleArn, context(GUARDRAILS_KEYS.breakGlassRoleArn)),
  };
}
