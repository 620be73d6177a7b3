import { DEFAULTS, RECOVERY_WINDOW_DAYS } from '../contract/deployment';
import { SECRET_PREFIX_PATTERN } from '../contract/vault-layout';

/** The deployer's choices, read from CDK context (`cdk.json` defaults, `-c key=value` overrides). */
export interface BrokerConfig {
  /** ARNs allowed to assume the ManifestOperator role. Empty: nobody (a deny-only trust policy); an account root is refused. */
  readonly manifestOperatorPrincipals: string[];
  /** ARNs allowed to assume the UnlockCodeOperator role. Empty: nobody (a deny-only trust policy); an account root is refused. */
  readonly unlockCodeOperatorPrincipals: string[];
  /** ARNs that administer (never use) both keys. Empty: this account's IAM administrators. */
  readonly keyAdminPrincipals: string[];
  /** Days a manifest is kept; Snowball credentials stay valid 360 days after the job was created. */
  readonly retentionDays: number;
  /** Name prefix of the unlock-code secrets, ending in `/`. */
  readonly secretPrefix: string;
  /** E-mail addresses subscribed to the alerts topic (each confirms by e-mail). */
  readonly alertEmails: string[];
  /** Create a trail for management events (detection needs one; an organisation trail counts). */
  readonly managementTrail: boolean;
  /** Create a trail with S3 data events for the vault bucket, so direct manifest reads alert (costs money). */
  readonly manifestReadTrail: boolean;
  /** Alarm into the alerts topic whenever unlock codes are read through the broker. */
  /** The one role exempt from the guardrails; its use is always alerted. */
  readonly breakGlassRoleArn?: string;
  /** Minutes between reconcile passes; 0 turns the schedule off. */
  readonly captureIntervalMinutes: number;
  /** Days a retired unlock-code secret stays recoverable (7–30). */
  readonly retireRecoveryDays: number;
}

export const CONTEXT_KEYS = {
  manifestOperatorPrincipals: 'manifestOperatorPrincipals',
  unlockCodeOperatorPrincipals: 'unlockCodeOperatorPrincipals',
  keyAdminPrincipals: 'keyAdminPrincipals',
  retentionDays: 'retentionDays',
  secretPrefix: 'secretPrefix',
  alertEmails: 'alertEmails',
  managementTrail: 'managementTrail',
  manifestReadTrail: 'manifestReadTrail',
  breakGlassRoleArn: 'breakGlassRoleArn',
  captureIntervalMinutes: 'captureIntervalMinutes',
  retireRecoveryDays: 'retireRecoveryDays',
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

/** A list from context: a JSON array, or a comma-separated string as `-c key=a,b` passes it. */
export function stringList(key: string, raw: unknown, what: string): string[] {
  let list: unknown = raw ?? [];
  if (typeof list === 'string') {
    const text = list.trim();
    list = text.startsWith('[')
      ? parseJson(key, text)
      : text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new ConfigError(`${key} must be a list of ${what} (a JSON array or a comma-separated string).`);
  }
  return [...new Set(list as string[])];
}

const PRINCIPAL_FORMS = 'use arn:aws:iam::123456789012:role/NAME, arn:aws:iam::123456789012:user/NAME or arn:aws:iam::123456789012:root.';

export function principalList(key: string, raw: unknown): string[] {
  const list = stringList(key, raw, 'IAM principal ARNs');
  list.forEach((arn, i) => {
    if (!PRINCIPAL_ARN.test(arn)) throw new ConfigError(`${key}[${i}] "${arn}" is not an IAM principal ARN: ${PRINCIPAL_FORMS}`);
  });
  return list;
}

/**
 * An operator list: principal ARNs, but never an account root. Trusting `:root` admits every role
 * and user of that account that is allowed sts:AssumeRole, so one principal could hold both
 * operator roles, and the lists' separation (assertSeparated) would compare strings only.
 */
export function operatorPrincipalList(key: string, raw: unknown): string[] {
  const list = principalList(key, raw);
  list.forEach((arn, i) => {
    if (arn.endsWith(':root')) {
      throw new ConfigError(
        `${key}[${i}] "${arn}" names a whole account: any role or user of it allowed sts:AssumeRole could assume the operator role, ` +
          'and then the same principal could hold both the manifest and the unlock code. Name the roles or users themselves ' +
          '(arn:aws:iam::123456789012:role/NAME or arn:aws:iam::123456789012:user/NAME).',
      );
    }
  });
  return list;
}

/** A true/false switch from context (`-c key=true` passes a string). */
export function flag(key: string, raw: unknown): boolean {
  if (raw === undefined || raw === false || raw === 'false') return false;
  if (raw === true || raw === 'true') return true;
  throw new ConfigError(`${key} must be true or false, got ${JSON.stringify(raw)}.`);
}

/** An optional role ARN from context. */
export function optionalRoleArn(key: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(raw)) {
    throw new ConfigError(`${key} must be an IAM role ARN like arn:aws:iam::123456789012:role/NAME, got ${JSON.stringify(raw)}.`);
  }
  return raw;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function emails(raw: unknown): string[] {
  const list = stringList(CONTEXT_KEYS.alertEmails, raw, 'e-mail addresses');
  list.forEach((address, i) => {
    if (!EMAIL.test(address)) throw new ConfigError(`${CONTEXT_KEYS.alertEmails}[${i}] "${address}" is not an e-mail address.`);
  });
  return list;
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${key} is not valid JSON: ${text}`);
  }
}

/** A whole number from context within [min, max] (`-c key=15` passes a string). */
function wholeNumber(key: string, raw: unknown, fallback: number, min: number, max: number, why: string): number {
  const value = typeof raw === 'string' ? Number(raw) : (raw ?? fallback);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max} (${why}; default ${fallback}), got ${String(raw)}.`);
  }
  return value;
}

function retention(raw: unknown): number {
  const days = typeof raw === 'string' ? Number(raw) : (raw ?? 360);
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) {
    throw new ConfigError(`retentionDays must be a whole number of days from 1 to 3650 (default 360), got ${String(raw)}.`);
  }
  return days;
}

function secretPrefix(raw: unknown): string {
  const prefix = raw ?? DEFAULTS.secretPrefix;
  if (typeof prefix !== 'string' || !SECRET_PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError(
      `secretPrefix must end in "/", be 2 to 201 characters long and use only letters, digits and /_+=.@- (default "${DEFAULTS.secretPrefix}"), got ${JSON.stringify(prefix)}.`,
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

/** Settings that no longer exist, with what replaced them: set, they stop synth rather than be silently ignored. */
const REMOVED_KEYS: Record<string, string> = {
  alertOnUnlockCodeRead:
    'alertOnUnlockCodeRead was removed: every read of an unlock code is now announced on the alerts topic by the UnlockCodeRead rule (CloudTrail, per read, with the reader). Delete the setting.',
};

/** Validates raw context values into a BrokerConfig, or throws a ConfigError that says what to change. */
export function parseConfig(context: (key: string) => unknown): BrokerConfig {
  for (const [key, why] of Object.entries(REMOVED_KEYS)) if (context(key) !== undefined) throw new ConfigError(why);
  const manifest = operatorPrincipalList(CONTEXT_KEYS.manifestOperatorPrincipals, context(CONTEXT_KEYS.manifestOperatorPrincipals));
  const unlockCode = operatorPrincipalList(CONTEXT_KEYS.unlockCodeOperatorPrincipals, context(CONTEXT_KEYS.unlockCodeOperatorPrincipals));
  assertSeparated(manifest, unlockCode);
  return {
    manifestOperatorPrincipals: manifest,
    unlockCodeOperatorPrincipals: unlockCode,
    keyAdminPrincipals: principalList(CONTEXT_KEYS.keyAdminPrincipals, context(CONTEXT_KEYS.keyAdminPrincipals)),
    retentionDays: retention(context(CONTEXT_KEYS.retentionDays)),
    secretPrefix: secretPrefix(context(CONTEXT_KEYS.secretPrefix)),
    alertEmails: emails(context(CONTEXT_KEYS.alertEmails)),
    managementTrail: flag(CONTEXT_KEYS.managementTrail, context(CONTEXT_KEYS.managementTrail)),
    manifestReadTrail: flag(CONTEXT_KEYS.manifestReadTrail, context(CONTEXT_KEYS.manifestReadTrail)),
    breakGlassRoleArn: optionalRoleArn(CONTEXT_KEYS.breakGlassRoleArn, context(CONTEXT_KEYS.breakGlassRoleArn)),
    captureIntervalMinutes: wholeNumber(
      CONTEXT_KEYS.captureIntervalMinutes,
      context(CONTEXT_KEYS.captureIntervalMinutes),
      15,
      0,
      1440,
      'minutes between reconcile passes, 0 for none',
    ),
    retireRecoveryDays: wholeNumber(
      CONTEXT_KEYS.retireRecoveryDays,
      context(CONTEXT_KEYS.retireRecoveryDays),
      DEFAULTS.retireRecoveryDays,
      RECOVERY_WINDOW_DAYS.min,
      RECOVERY_WINDOW_DAYS.max,
      "Secrets Manager's recovery window",
    ),
  };
}
