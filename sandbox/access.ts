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
  manifestOperatorBucket: 'manifestBucket',
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
  manifest: ['manifestOperatorObjects', 'manifestOperatorBucket'],
  unlockCode: ['unlockCodeOperatorSecrets'],
  outsider: [],
};

/**
 * What the outsider, an account administrator, holds besides: `snowball:*` from its own identity
 * policies. Snowball has no resource policies, so only the guardrails SCP stands between it and
 * both credentials: the hole the sandbox shows with SANDBOX_GUARDRAILS=off.
 */
const ADMINISTRATOR_SNOWBALL = ['snowball:GetJobManifest', 'snowball:GetJobUnlockCode', 'snowball:DescribeJob', 'snowball:ListJobs'];

/** True when `principal`'s policies let it perform `action` (e.g. `s3:PutObject`) on something in `scope`. */
export function isAllowed(principal: SandboxPrincipal, action: string, scope: Scope | undefined): boolean {
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
