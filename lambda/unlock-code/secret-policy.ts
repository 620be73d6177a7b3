/** The principals allowed to read or write one job's unlock-code secret. */
export interface SecretPolicyPrincipals {
  readonly readerRoleArn: string;
  readonly brokerRoleArn: string;
  /** Who else may restore or rotate a secret: the deployer, break-glass. Default: nobody. */
  readonly restorerArns?: readonly string[];
}

/**
 * The resource policy put on every unlock-code secret. Same-account identity policies such as
 * `secretsmanager:*` would otherwise reach the secret; these explicit denies leave reading its
 * value to the unlock-code operator role alone and writing, restoring or rotating it to the
 * unlock-code function alone.
 * (The KMS key denies both to everyone else too, and never lets the function decrypt.)
 */
export function unlockCodeSecretPolicy(principals: SecretPolicyPrincipals) {
  const restorers = principals.restorerArns?.length ? [principals.brokerRoleArn, ...principals.restorerArns] : principals.brokerRoleArn;
  return {
    Version: '2012-10-17',
    Statement: [
      denyUnless('OnlyTheOperatorReadsTheValue', 'secretsmanager:GetSecretValue', principals.readerRoleArn),
      denyUnless(
        'OnlyTheBrokerWritesTheValue',
        ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:UpdateSecretVersionStage'],
        principals.brokerRoleArn,
      ),
      // A retired secret (scheduled for deletion) must stay retired: a restore would make its
      // code readable again. Only the broker restores one (its job is WithCustomer again),
      // besides the deployer and break-glass when the stack names them.
      denyUnless(
        'OnlyTheBrokerRestoresOrRotates',
        ['secretsmanager:RestoreSecret', 'secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret'],
        restorers,
      ),
    ],
  };
}

/** A deny of `action` on the secret to every principal but `allowed`. */
function denyUnless(sid: string, action: string | string[], allowed: string | string[]) {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: action,
    Resource: '*',
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': allowed } },
  };
}

/** True when `policy` (as GetResourcePolicy returns it) is exactly the one the broker writes. */
export function isBrokerPolicy(policy: string | undefined, principals: SecretPolicyPrincipals): boolean {
  if (policy === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(policy)) === JSON.stringify(unlockCodeSecretPolicy(principals));
  } catch {
    return false;
  }
}
