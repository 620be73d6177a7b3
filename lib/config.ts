import { DEFAULT_SECRET_PREFIX, SECRET_PREFIX_PATTERN } from './contract';

/** The deployer's choices, read from CDK context (`cdk.json` defaults, `-c key=value` overrides). */
export interface BrokerConfig {
  /** ARNs allowed to assume the ManifestOperator role. Empty: principals of this account that IAM lets assume it. */
  readonly manifestOperatorPrincipals: string[];
  /** ARNs allowed to assume the UnlockCodeOperator role. Empty: principals of this account that IAM lets assume it. */
  readonly unlockCodeOperatorPrincipals: string[];
  /** ARNs that administer (never use) both keys. Empty: this account's IAM administrators. */
  readonly keyAdminPrincipals: string[];
  /** Days a manifest is kept; Snowball credentials stay valid 360 days after the job was created. */
  readonly retentionDays: number;
  /** Name prefix of the unlock-code secrets, ending in `/`. */
  readonly secretPrefix: string;
}

export const CONTEXT_KEYS = {
  manifestOperatorPrincipals: 'manifestOperatorPrincipals',
  unlockCodeOperatorPrincipals: 'unlockCodeOperatorPrincipals',
  keyAdminPrincipals: 'keyAdminPrincipals',
  retentionDays: 'retentionDays',
  secretPrefix: 'secretPrefix',
} as const;

/** A configuration the broker refuses to synthesize, with what to change. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** IAM principals that may appear in a trust or key policy: an account root, a role or a user. */
const PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

function principalList(key: string, raw: unknown): string[] {
  let list: unknown = raw ?? [];
  if (typeof list === 'string') {
    const text = list.trim();
    list = text.startsWith('[') ? parseJson(key, text) : text.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new ConfigError(`${key} must be a list of IAM principal ARNs (a JSON array or a comma-separated string).`);
  }
  list.forEach((arn: string, i) => {
    if (!PRINCIPAL_ARN.test(arn)) {
      throw new ConfigError(
        `${key}[${i}] "${arn}" is not an IAM principal ARN: use arn:aws:iam::123456789012:role/NAME, ` +
          `arn:aws:iam::123456789012:user/NAME or arn:aws:iam::123456789012:root.`,
      );
    }
  });
  return [...new Set(list as string[])];
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${key} is not valid JSON: ${text}`);
  }
}

function retention(raw: unknown): number {
  const days = typeof raw === 'string' ? Number(raw) : (raw ?? 360);
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) {
    throw new ConfigError(`retentionDays must be a whole number of days from 1 to 3650 (default 360), got ${String(raw)}.`);
  }
  return days;
}

function secretPrefix(raw: unknown): string {
  const prefix = raw ?? DEFAULT_SECRET_PREFIX;
  if (typeof prefix !== 'string' || !SECRET_PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError(
      `secretPrefix must end in "/" and use only letters, digits and /_+=.@- (default "${DEFAULT_SECRET_PREFIX}"), got ${JSON.stringify(prefix)}.`,
    );
  }
  return prefix;
}

/** The two operator lists must not share a principal: nobody may hold both halves of a device's credentials. */
function assertSeparated(manifest: string[], unlockCode: string[]): void {
  const unlockers = new Set(unlockCode.map((arn) => arn.toLowerCase()));
  const both = manifest.filter((arn) => unlockers.has(arn.toLowerCase()));
  if (both.length > 0) {
    throw new ConfigError(
      `${both.join(', ')} is named in both manifestOperatorPrincipals and unlockCodeOperatorPrincipals. ` +
        'AWS advises that nobody holds both the manifest and the unlock code of a Snowball: remove it from one list.',
    );
  }
}

/** Validates raw context values into a BrokerConfig, or throws a ConfigError that says what to change. */
export function parseConfig(context: (key: string) => unknown): BrokerConfig {
  const manifest = principalList(CONTEXT_KEYS.manifestOperatorPrincipals, context(CONTEXT_KEYS.manifestOperatorPrincipals));
  const unlockCode = principalList(CONTEXT_KEYS.unlockCodeOperatorPrincipals, context(CONTEXT_KEYS.unlockCodeOperatorPrincipals));
  assertSeparated(manifest, unlockCode);
  return {
    manifestOperatorPrincipals: manifest,
    unlockCodeOperatorPrincipals: unlockCode,
    keyAdminPrincipals: principalList(CONTEXT_KEYS.keyAdminPrincipals, context(CONTEXT_KEYS.keyAdminPrincipals)),
    retentionDays: retention(context(CONTEXT_KEYS.retentionDays)),
    secretPrefix: secretPrefix(context(CONTEXT_KEYS.secretPrefix)),
  };
}
