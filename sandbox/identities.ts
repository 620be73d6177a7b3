import { randomBytes } from 'node:crypto';
import { STABLE_NAMES } from '../contract/deployment';
import { type OperatorKind } from '../contract/vaults';
import type { Credentials } from './sigv4';

/** The sandbox's fake account; every ARN it hands out is in it. */
export const SANDBOX_ACCOUNT = '000000000000';

/** How long the sandbox's temporary credentials stay valid: a working day, then restart it. */
export const CREDENTIAL_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * The principals of the sandbox: two operators, the two functions, an outsider (a platform
 * administrator holding `snowball:*`), and the `administrator`: the account administrator, allowed
 * every action by its identity policies and held back only by the emulated resource and key policies.
 */
export type PrincipalName = 'manifest' | 'unlockCode' | 'outsider' | 'administrator' | 'manifestFunction' | 'unlockCodeFunction';

/** A principal the sandbox knows, with the temporary credentials of one session of its role. */
export interface SandboxPrincipal extends Required<Credentials> {
  readonly name: PrincipalName;
  /** The vault whose API routes this principal is admitted to, if any. */
  readonly kind?: OperatorKind;
  readonly roleArn: string;
  /** The assumed-role session ARN, which API Gateway reports as `requestContext.identity.userArn`. */
  readonly callerArn: string;
}

function principal(name: PrincipalName, roleName: string, kind?: OperatorKind, session = 'sandbox-session'): SandboxPrincipal {
  return {
    name,
    kind,
    accessKeyId: `ASIASANDBOX${randomBytes(5).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
    expiration: new Date(Date.now() + CREDENTIAL_LIFETIME_MS),
    roleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/${roleName}`,
    callerArn: `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/${roleName}/${session}`,
  };
}

/** Fresh temporary credentials per start, one session per role; the function roles have their deployed names. */
export function sandboxPrincipals(region: string): Record<PrincipalName, SandboxPrincipal> {
  return {
    manifest: principal('manifest', 'sandbox-ManifestOperator', 'manifest'),
    unlockCode: principal('unlockCode', 'sandbox-UnlockCodeOperator', 'unlockCode'),
    outsider: principal('outsider', 'sandbox-PlatformAdmin'),
    administrator: principal('administrator', 'sandbox-AccountAdministrator'),
    // Lambda names each session of a function's role after the function, as the detection rules expect.
    manifestFunction: principal(
      'manifestFunction',
      STABLE_NAMES.functionRole('manifest', region),
      undefined,
      `${STABLE_NAMES.stack}-ManifestFunction-sandbox`,
    ),
    unlockCodeFunction: principal(
      'unlockCodeFunction',
      STABLE_NAMES.functionRole('unlockCode', region),
      undefined,
      `${STABLE_NAMES.stack}-UnlockCodeFunction-sandbox`,
    ),
  };
}

/** The credentials as the AWS CLI's `credential_process` / `AssumeRole` report them. */
export function exportCredentials(p: SandboxPrincipal) {
  return {
    accessKeyId: p.accessKeyId,
    secretAccessKey: p.secretAccessKey,
    sessionToken: p.sessionToken,
    expiration: p.expiration.toISOString(),
    roleArn: p.roleArn,
  };
}
