import { GRANTS, type GrantName } from '../lib/grants';
import type { PrincipalName, SandboxPrincipal } from './identities';

/** What a grant applies to, as the stand-ins see a request. */
export type Scope = 'snowball' | 'manifestObjects' | 'manifestBucket' | 'unlockCodeSecrets';

/** What each grant of lib/grants.ts applies to. */
export const SCOPE_OF: Record<GrantName, Scope> = {
  manifestFunctionSnowball: 'snowball',
  manifestFunctionObjects: 'manifestObjects',
  manifestFunctionBucket: 'manifestBucket',
  manifestOperatorObjects: 'manifestObjects',
  unlockCodeFunctionSnowball: 'snowball',
  unlockCodeFunctionSecrets: 'unlockCodeSecrets',
  unlockCodeOperatorSecrets: 'unlockCodeSecrets',
};

/**
 * DESIGN.md's access matrix as the stand-ins enforce it: the grants each principal holds, from the
 * same table the constructs grant (lib/grants.ts). On AWS the outsider's broad identity policies
 * are cancelled by the vaults' resource and key policies; here it holds none of the vaults.
 */
export const SANDBOX_ACCESS: Record<PrincipalName, readonly GrantName[]> = {
  manifestFunction: ['manifestFunctionSnowball', 'manifestFunctionObjects', 'manifestFunctionBucket'],
  unlockCodeFunction: ['unlockCodeFunctionSnowball', 'unlockCodeFunctionSecrets'],
  manifest: ['manifestOperatorObjects'],
  unlockCode: ['unlockCodeOperatorSecrets'],
  outsider: [],
  administrator: [],
};

/**
 * An account administrator (AdministratorAccess) may call anything at the stand-ins except what
 * the vaults' own policies deny it on AWS: the manifest objects (the bucket policy) and the
 * secrets' values (each secret's resource policy). Everything else around the split (Snowball,
 * creating secrets under the prefix, their policies, deleting manifest versions) only the
 * guardrails SCP refuses it.
 */
const DENIED_TO_ADMINISTRATOR_BY_THE_VAULTS = [
  's3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject',
  'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:UpdateSecretVersionStage',
];

/**
 * What the outsider, an account administrator, holds besides: `snowball:*` from its own identity
 * policies. Snowball has no resource policies, so only the guardrails SCP stands between it and
 * both credentials: the hole the sandbox shows with SANDBOX_GUARDRAILS=off.
 */
const ADMINISTRATOR_SNOWBALL = ['snowball:GetJobManifest', 'snowball:GetJobUnlockCode', 'snowball:DescribeJob', 'snowball:ListJobs'];

/** True when `principal`'s policies let it perform `action` (e.g. `s3:PutObject`) on something in `scope`. */
export function isAllowed(principal: SandboxPrincipal, action: string, scope: Scope | undefined): boolean {
  if (principal.name === 'administrator') return !DENIED_TO_ADMINISTRATOR_BY_THE_VAULTS.includes(action);
  if (scope === undefined) return false;
  if (principal.name === 'outsider') return scope === 'snowball' && ADMINISTRATOR_SNOWBALL.includes(action);
  return SANDBOX_ACCESS[principal.name].some(
    (grant) => SCOPE_OF[grant] === scope && (GRANTS[grant] as readonly string[]).includes(action),
  );
}

/** The message AWS gives with AccessDenied, naming caller, action and resource (never data). */
export function deniedMessage(principal: SandboxPrincipal, action: string, resource: string): string {
  return `User: ${principal.callerArn} is not authorized to perform: ${action} on resource: ${resource} (sandbox access matrix)`;
}
