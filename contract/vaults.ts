/**
 * One descriptor per vault: everything that differs between the manifest side and the unlock-code
 * side. Constructs, functions, sandbox, CLI, scripts and tests are written once over `kind` and
 * read this table; none of them branches on the kind.
 */

/** The two kinds of operator, one per vault. */
export type OperatorKind = 'manifest' | 'unlockCode';
export const OPERATOR_KINDS: readonly OperatorKind[] = ['manifest', 'unlockCode'];

/** What invokes one of a vault's functions: the API, the reconcile schedule, the notification queue. */
export type Trigger = 'api' | 'schedule' | 'notification';
export const TRIGGERS: readonly Trigger[] = ['api', 'schedule', 'notification'];

export interface VaultDescriptor {
  readonly kind: OperatorKind;
  /** PascalCase, as construct ids, alarms and rules spell it: `Manifest`, `UnlockCode`. */
  readonly name: string;
  /** The credential in prose: "No manifest is stored …". */
  readonly noun: string;
  /** What the vault's function brokers, in its description: "Snowball job manifests". */
  readonly brokers: string;
  /** The vault in a heading: "Manifest vault". */
  readonly title: string;
  /** Path segment under `/jobs/{jobId}/`, and the vault's folder under `lambda/`. */
  readonly segment: string;
  /** The fleet-status route: every job Snowball lists and what the vault holds for it. */
  readonly fleetRoute: string;
  /** Snowball's action that hands out this credential: only the vault's function may call it. */
  readonly snowballAction: string;
  /** The API function's name in the stable role name, its alarms and the sandbox's log lines (the id it had as a construct of its own). */
  readonly functionId: string;
  /** The construct id of the vault's compute unit (`VaultFunctions`: its role and one function per trigger). */
  readonly functionsId: string;
  /** The construct id of the vault's operator role; also in its stable role name and the CLI's messages. */
  readonly operatorRole: string;
  /** The context key listing who may assume the operator role. */
  readonly operatorPrincipalsKey: string;
  /** Memory of each of the vault's functions, in MB. */
  readonly memorySize: number;
  /** Each trigger's entry file, relative to the project root. */
  readonly entries: Readonly<Record<Trigger, string>>;
  /** The SDK endpoint variables of the services its functions call (the sandbox points them at its stand-ins). */
  readonly endpointEnv: readonly string[];
  /** The operator CLI's commands: `fetch` brokers (POST), `get` reads what is stored (GET). */
  readonly cli: { readonly fetch: string; readonly get: string };
}

/** Each trigger's function's construct id inside its vault's `VaultFunctions`. */
export const TRIGGER_IDS: Readonly<Record<Trigger, string>> = { api: 'Api', schedule: 'Schedule', notification: 'Notification' };

/**
 * How a vault's function's logical id starts in the template (`ManifestFunctionsApi…`): tests, the
 * bundle paths and the cold-start bench find each function by it.
 */
export function functionLogicalIdPrefix(kind: OperatorKind, trigger: Trigger): string {
  return `${VAULTS[kind].functionsId}${TRIGGER_IDS[trigger]}`;
}

const entries = (folder: string): Record<Trigger, string> => ({
  api: `lambda/${folder}/api-handler.ts`,
  schedule: `lambda/${folder}/schedule-handler.ts`,
  notification: `lambda/${folder}/notification-handler.ts`,
});

export const VAULTS: Readonly<Record<OperatorKind, VaultDescriptor>> = {
  manifest: {
    kind: 'manifest',
    name: 'Manifest',
    noun: 'manifest',
    brokers: 'Snowball job manifests',
    title: 'Manifest vault',
    segment: 'manifest',
    fleetRoute: '/manifests',
    snowballAction: 'snowball:GetJobManifest',
    functionId: 'ManifestFunction',
    functionsId: 'ManifestFunctions',
    operatorRole: 'ManifestOperator',
    operatorPrincipalsKey: 'manifestOperatorPrincipals',
    // The manifest is downloaded, hashed and written from memory.
    memorySize: 512,
    entries: entries('manifest'),
    endpointEnv: ['AWS_ENDPOINT_URL_SNOWBALL', 'AWS_ENDPOINT_URL_S3'],
    cli: { fetch: 'fetch-manifest', get: 'get-manifest' },
  },
  unlockCode: {
    kind: 'unlockCode',
    name: 'UnlockCode',
    noun: 'unlock code',
    brokers: 'Snowball unlock codes',
    title: 'Unlock-code vault',
    segment: 'unlock-code',
    fleetRoute: '/unlock-codes',
    snowballAction: 'snowball:GetJobUnlockCode',
    functionId: 'UnlockCodeFunction',
    functionsId: 'UnlockCodeFunctions',
    operatorRole: 'UnlockCodeOperator',
    operatorPrincipalsKey: 'unlockCodeOperatorPrincipals',
    memorySize: 256,
    entries: entries('unlock-code'),
    endpointEnv: ['AWS_ENDPOINT_URL_SNOWBALL', 'AWS_ENDPOINT_URL_SECRETS_MANAGER'],
    cli: { fetch: 'fetch-unlock-code', get: 'get-unlock-code' },
  },
};

/** One value per vault, made by `make` for each kind in OPERATOR_KINDS order. */
export function mapKinds<T>(make: (kind: OperatorKind) => T): Record<OperatorKind, T> {
  return Object.fromEntries(OPERATOR_KINDS.map((kind) => [kind, make(kind)])) as Record<OperatorKind, T>;
}
