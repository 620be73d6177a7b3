import { Annotations, Duration } from 'aws-cdk-lib';
import { AccountRootPrincipal, ArnPrincipal, CfnRole, CompositePrincipal, Role, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { VAULTS, type OperatorKind } from '../contract/vaults';

export interface OperatorRolesProps {
  /** ARNs that may assume the ManifestOperator role. Empty: nobody (a warning says so at synth). */
  readonly manifestPrincipals: string[];
  /** ARNs that may assume the UnlockCodeOperator role. Empty: nobody (a warning says so at synth). */
  readonly unlockCodePrincipals: string[];
  /** Role names, stable so the guardrails can name who may assume them. Default: generated. */
  readonly roleNames?: Record<OperatorKind, string>;
}

/** The trust policy of a role nobody may assume: only a deny, so no identity policy (an administrator's `sts:*` included) can assume it. */
export const TRUST_NOBODY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NobodyUntilPrincipalsAreNamed',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
    },
  ],
};

/**
 * The two people-facing roles, one per vault. Each trusts exactly the principals the deployer
 * names and nobody by default: trusting the account would let every administrator assume both
 * and hold both halves. Sessions last at most one hour. What each may do is granted by the vaults
 * and the API, so the access matrix reads from those constructs' methods.
 */
export class OperatorRoles extends Construct {
  readonly manifest: Role;
  readonly unlockCode: Role;

  constructor(scope: Construct, id: string, props: OperatorRolesProps) {
    super(scope, id);
    this.manifest = this.role(
      'manifest',
      props.manifestPrincipals,
      'Snowball credential broker: brokers and reads job manifests, never unlock codes',
      props.roleNames?.manifest,
    );
    this.unlockCode = this.role(
      'unlockCode',
      props.unlockCodePrincipals,
      'Snowball credential broker: brokers and reads unlock codes, never manifests',
      props.roleNames?.unlockCode,
    );
  }

  private role(kind: OperatorKind, arns: string[], description: string, roleName?: string): Role {
    const { operatorRole: id, operatorPrincipalsKey: key } = VAULTS[kind];
    // The placeholder principal is replaced below when nobody is named: CDK needs one to build the role.
    const assumedBy: IPrincipal =
      arns.length === 0 ? new AccountRootPrincipal() : new CompositePrincipal(...arns.map((arn) => new ArnPrincipal(arn)));
    const role = new Role(this, id, { roleName, assumedBy, description, maxSessionDuration: Duration.hours(1) });
    if (arns.length === 0) {
      (role.node.defaultChild as CfnRole).assumeRolePolicyDocument = TRUST_NOBODY;
      Annotations.of(role).addWarningV2(
        'snowball-broker:operator-trusts-nobody',
        `No ${key} are configured: nobody can assume ${id}, so nobody can broker or read this vault until principals are named (-c ${key}='["arn:…"]').`,
      );
    }
    return role;
  }
}
