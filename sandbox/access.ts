import { GRANTS, KEY_GRANTS, type GrantName, type KeyGrantName } from '../policies/grants';
import type { PrincipalName, SandboxPrincipal } from './identities';

/** What a grant applies to, as the stand-ins see a request. */
export type Scope = 'snowball' | 'manifestObjects' | 'manifestBucket' | 'unlockCodeSecrets';

/** What each grant of policies/grants.ts applies to. */
export const SCOPE_OF: Record<GrantName, Scope> = {
  manifestFunctionSnowball: 'snowball',
  manifestFunctionObjects: 'manifestObjects',
  manifestFunctionBucket: 'manifestBucket',
  manifestOperatorObjects: 'manifestObjects',
  manifestOperatorBucket: 'manifestBucket',
  unlockCodeFunctionSnowball: 'snowball',
  unlockCodeFunctionSecrets: 'unlockCodeSecrets',
  unlockCodeOperatorSecrets: 'unlockCodeSecrets',
};

/**
 * The access matrix (docs/security.md) as the stand-ins enforce it: the grants each principal holds, from the
 * same table the constructs grant (policies/grants.ts). On AWS the outsider's broad identity policies
 * are cancelled by the vaults' resource and key policies; here it holds none of the vaults. The
 * administrator holds everything by identity policy (see isAllowed).
 */
export const SANDBOX_ACCESS: Record<PrincipalName, readonly GrantName[]> = {
  manifestFunction: ['manifestFunctionSnowball', 'manifestFunctionObjects', 'manifestFunctionBucket'],
  unlockCodeFunction: ['unlockCodeFunctionSnowball', 'unlockCodeFunctionSecrets'],
  manifest: ['manifestOperatorObjects', 'manifestOperatorBucket'],
  unlockCode: ['unlockCodeOperatorSecrets'],
  outsider: [],
  administrator: [],
};

/**
 * What the outsider, an account administrator, holds besides: `snowball:*` from its own identity
 * policies. Snowball has no resource policies, so only the guardrails SCP stands between it and
 * both credentials: the hole the sandbox shows with SANDBOX_GUARDRAILS=off.
 */
const ADMINISTRATOR_SNOWBALL = ['snowball:GetJobManifest', 'snowball:GetJobUnlockCode', 'snowball:DescribeJob', 'snowball:ListJobs'];

/** True when `principal`'s identity policies let it perform `action` (e.g. `s3:PutObject`) on something in `scope`. */
export function isAllowed(principal: SandboxPrincipal, action: string, scope: Scope | undefined): boolean {
  if (principal.name === 'administrator') return true;
  if (scope === undefined) return false;
  if (principal.name === 'outsider') return scope === 'snowball' && ADMINISTRATOR_SNOWBALL.includes(action);
  return SANDBOX_ACCESS[principal.name].some((grant) => SCOPE_OF[grant] === scope && (GRANTS[grant] as readonly string[]).includes(action));
}

/** The message AWS gives with AccessDenied, naming caller, action and resource (never data). */
export function deniedMessage(principal: SandboxPrincipal, action: string, resource: string): string {
  return `User: ${principal.callerArn} is not authorized to perform: ${action} on resource: ${resource} (sandbox access matrix)`;
}

// ----- the vault keys' policies, emulated from the same table the constructs write them from -----

export type Vault = 'manifest' | 'unlockCode';

/** Which key each key grant is on. */
const KEY_OF: Record<KeyGrantName, Vault> = {
  manifestFunctionKey: 'manifest',
  manifestOperatorKey: 'manifest',
  unlockCodeFunctionKey: 'unlockCode',
  unlockCodeOperatorKey: 'unlockCode',
};

/**
 * The key policies' users, from KEY_GRANTS: whom each vault key names. The keys do not delegate
 * to the account, so no identity policy (the administrator's `kms:*` included) adds anyone.
 */
export const SANDBOX_KEY_ACCESS: Record<PrincipalName, readonly KeyGrantName[]> = {
  manifestFunction: ['manifestFunctionKey'],
  unlockCodeFunction: ['unlockCodeFunctionKey'],
  manifest: ['manifestOperatorKey'],
  unlockCode: ['unlockCodeOperatorKey'],
  outsider: [],
  administrator: [],
};

/**
 * The vault key's decision for a use the vault's service makes on a caller's behalf: allowed
 * only if a grant of the key policy names the caller with that action (and, where the grant says
 * so, that encryption-context version id). `secretVersionId` is what Secrets Manager passes.
 */
export function mayUseKey(
  principal: SandboxPrincipal,
  vault: Vault,
  action: 'kms:Decrypt' | 'kms:GenerateDataKey',
  secretVersionId?: string,
): boolean {
  return SANDBOX_KEY_ACCESS[principal.name].some(
    (name) =>
      KEY_OF[name] === vault &&
      KEY_GRANTS[name].some(
        (g: { actions: readonly string[]; onlySecretVersionId?: string }) =>
          g.actions.includes(action) && (g.onlySecretVersionId === undefined || g.onlySecretVersionId === secretVersionId),
      ),
  );
}

/** True when the vault key's policy names the principal at all (the bucket policy admits exactly those). */
export function isKeyUser(principal: SandboxPrincipal, vault: Vault): boolean {
  return SANDBOX_KEY_ACCESS[principal.name].some((name) => KEY_OF[name] === vault);
}

/** What KMS (through the vault's service) answers a refused key use. */
export function keyDeniedMessage(principal: SandboxPrincipal, action: string): string {
  return `User: ${principal.callerArn} is not authorized to perform: ${action} on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access (sandbox key policy)`;
}

/**
 * A resource policy's explicit denies, as the broker writes them (`Deny` to `*` with an
 * `ArnNotEquals` on `aws:PrincipalArn`, or no condition). Any other condition counts as matching:
 * the emulation is never more lenient than AWS.
 */
export function deniedByResourcePolicy(policy: string | undefined, action: string, principalArn: string): boolean {
  if (policy === undefined) return false;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a resource policy is untyped JSON
  let statements: Record<string, any>[];
  try {
    const parsed = JSON.parse(policy);
    statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  } catch {
    return false;
  }
  const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  return statements.some((st) => {
    if (st.Effect !== 'Deny') return false;
    const [service] = action.split(':');
    if (!list(st.Action).some((a) => a === action || a === `${service}:*` || a === '*')) return false;
    const exempt = list(st.Condition?.ArnNotEquals?.['aws:PrincipalArn']);
    const others = Object.keys(st.Condition ?? {}).filter((op) => op !== 'ArnNotEquals');
    return others.length > 0 || !exempt.includes(principalArn);
  });
}
