import { STABLE_NAMES } from './contract';

/** What the service control policy needs to know of the broker's account. */
export interface GuardrailsPolicyInput {
  /** The account the broker is deployed in; the SCP guards it alone. */
  readonly brokerAccountId: string;
  /** Name prefix of the unlock-code secrets. */
  readonly secretPrefix: string;
  /** ARN (or IAM `*` pattern) of the role CloudFormation deploys the broker with. */
  readonly deployRoleArnPattern: string;
  /** One role exempt from every guardrail, for emergencies; its use is always alerted. */
  readonly breakGlassRoleArn?: string;
}

/** The largest service control policy AWS Organizations accepts, in characters. */
export const SCP_MAX_CHARS = 5120;

/** The default CDK bootstrap's CloudFormation execution role, in every region of the account. */
export function cdkDeployRolePattern(account: string, qualifier = 'hnb659fds'): string {
  return `arn:*:iam::${account}:role/cdk-${qualifier}-cfn-exec-role-${account}-*`;
}

type Statement = Record<string, unknown>;

function deny(sid: string, action: string[], resource: string | string[], exempt: string[], extra: Record<string, unknown> = {}): Statement {
  return { Sid: sid, Effect: 'Deny', Action: action, Resource: resource, Condition: { ...extra, ArnNotLike: { 'aws:PrincipalArn': exempt } } };
}

/**
 * The service control policy that closes the broker's split at its source, in the broker's
 * account only: Snowball hands each credential only to its function's role; the policies and keys
 * that guard the vaults change only through CloudFormation (and, for the secrets' policies, the
 * unlock-code function that writes them); nobody can create or alter a role with a function
 * role's name to borrow its exemption. The break-glass role, if any, is exempt from all of it.
 */
export function guardrailsPolicy(input: GuardrailsPolicyInput) {
  const acct = input.brokerAccountId;
  const role = (kind: 'manifest' | 'unlockCode') => `arn:*:iam::${acct}:role/${STABLE_NAMES.functionRolePattern(kind)}`;
  const glass = input.breakGlassRoleArn ? [input.breakGlassRoleArn] : [];
  const deployers = [input.deployRoleArnPattern, ...glass];
  const inBrokerAccount = { StringEquals: { 'aws:PrincipalAccount': acct } };
  return {
    Version: '2012-10-17',
    Statement: [
      deny('ManifestOnlyToItsFunction', ['snowball:GetJobManifest'], '*', [role('manifest'), ...glass], inBrokerAccount),
      deny('UnlockCodeOnlyToItsFunction', ['snowball:GetJobUnlockCode'], '*', [role('unlockCode'), ...glass], inBrokerAccount),
      deny('VaultKeysOnlyThroughDeploys', ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey'], `arn:*:kms:*:${acct}:key/*`, deployers, {
        'ForAnyValue:StringLike': { 'kms:ResourceAliases': `${STABLE_NAMES.keyAliasPrefix()}*` },
      }),
      deny('VaultKeyAliasesOnlyThroughDeploys', ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'], `arn:*:kms:*:${acct}:${STABLE_NAMES.keyAliasPrefix()}*`, deployers),
      deny('BucketPolicyOnlyThroughDeploys', ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'], `arn:*:s3:::${STABLE_NAMES.manifestBucketPattern(acct)}`, deployers),
      deny(
        'SecretPoliciesOnlyThroughTheFunction',
        ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy', 'secretsmanager:DeleteSecret'],
        `arn:*:secretsmanager:*:${acct}:secret:${input.secretPrefix}*`,
        [...deployers, role('unlockCode')],
      ),
      deny(
        'FunctionRolesOnlyThroughDeploys',
        ['iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'],
        [role('manifest'), role('unlockCode')],
        deployers,
      ),
    ],
  };
}
