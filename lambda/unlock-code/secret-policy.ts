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
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyTheOperatorReadsTheValue',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': principals.readerRoleArn } },
      },
      {
        Sid: 'OnlyTheBrokerWritesTheValue',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': principals.brokerRoleArn } },
      },
      {
        // A retired secret (scheduled for deletion) must stay retired: a restore would make its
        // code readable again. Only the broker restores one (its job is WithCustomer again),
        // besides the deployer and break-glass when the stack names them.
        Sid: 'OnlyTheBrokerRestoresOrRotates',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:RestoreSecret', 'secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': principals.restorerArns?.length ? [principals.brokerRoleArn, ...principals.restorerArns] : principals.brokerRoleArn } },
      },
    ],
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
