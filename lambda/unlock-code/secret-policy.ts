/** The principals allowed to read or write one job's unlock-code secret. */
export interface SecretPolicyPrincipals {
  readonly readerRoleArn: string;
  readonly brokerRoleArn: string;
}

/**
 * The resource policy put on every unlock-code secret. Same-account identity policies such as
 * `secretsmanager:*` would otherwise reach the secret; this explicit deny leaves its value to the
 * unlock-code operator role and the unlock-code function alone. (The KMS key denies them too.)
 */
export function unlockCodeSecretPolicy(principals: SecretPolicyPrincipals) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyUnlockCodeRolesTouchTheValue',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecret',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: '*',
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': [principals.readerRoleArn, principals.brokerRoleArn] },
        },
      },
    ],
  };
}
