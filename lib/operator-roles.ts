import { Duration } from 'aws-cdk-lib';
import { AccountRootPrincipal, ArnPrincipal, CompositePrincipal, Role, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { OperatorKind } from './contract';

export interface OperatorRolesProps {
  /** ARNs that may assume the ManifestOperator role. Empty: this account's principals that IAM allows. */
  readonly manifestPrincipals: string[];
  /** ARNs that may assume the UnlockCodeOperator role. Empty: this account's principals that IAM allows. */
  readonly unlockCodePrincipals: string[];
  /** Role names, stable so the guardrails can name who may assume them. Default: generated. */
  readonly roleNames?: Record<OperatorKind, string>;
}

function trusted(arns: string[]): IPrincipal {
  if (arns.length === 0) return new AccountRootPrincipal();
  return new CompositePrincipal(...arns.map((arn) => new ArnPrincipal(arn)));
}

/**
 * The two people-facing roles, one per vault. Sessions last at most one hour. What each may do is
 * granted by the vaults and the API, so the access matrix reads from those constructs' methods.
 */
export class OperatorRoles extends Construct {
  readonly manifest: Role;
  readonly unlockCode: Role;

  constructor(scope: Construct, id: string, props: OperatorRolesProps) {
    super(scope, id);
    this.manifest = new Role(this, 'ManifestOperator', {
      roleName: props.roleNames?.manifest,
      assumedBy: trusted(props.manifestPrincipals),
      description: 'Snowball credential broker: brokers and reads job manifests, never unlock codes',
      maxSessionDuration: Duration.hours(1),
    });
    this.unlockCode = new Role(this, 'UnlockCodeOperator', {
      roleName: props.roleNames?.unlockCode,
      assumedBy: trusted(props.unlockCodePrincipals),
      description: 'Snowball credential broker: brokers and reads unlock codes, never manifests',
      maxSessionDuration: Duration.hours(1),
    });
  }

  of(kind: OperatorKind): Role {
    return kind === 'manifest' ? this.manifest : this.unlockCode;
  }
}
