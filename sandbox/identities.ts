import { randomBytes } from 'node:crypto';
import type { OperatorKind } from '../lib/contract';
import type { Credentials } from './sigv4';

/** The sandbox's fake account; every ARN it hands out is in it. */
export const SANDBOX_ACCOUNT = '000000000000';

/** A principal the sandbox API knows, and which vault's routes (if any) it is admitted to. */
export interface SandboxPrincipal extends Credentials {
  readonly name: string;
  readonly kind?: OperatorKind;
  readonly roleArn: string;
  /** What API Gateway reports as `requestContext.identity.userArn`: the assumed-role session. */
  readonly callerArn: string;
}

function principal(name: string, kind?: OperatorKind): SandboxPrincipal {
  const role = `sandbox-${name}`;
  return {
    name,
    kind,
    accessKeyId: `AKIASANDBOX${randomBytes(5).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    roleArn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/${role}`,
    callerArn: `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/${role}/sandbox-session`,
  };
}

/** Fresh credentials per start: the two operators, and a third principal admitted to nothing. */
export function sandboxPrincipals() {
  return {
    manifest: principal('ManifestOperator', 'manifest'),
    unlockCode: principal('UnlockCodeOperator', 'unlockCode'),
    outsider: principal('PlatformAdmin'),
    manifestFunction: principal('ManifestFunction'),
    unlockCodeFunction: principal('UnlockCodeFunction'),
  };
}
