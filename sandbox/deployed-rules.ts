import { alertRules } from '../policies/alert-rules';
import { DEFAULTS } from '../contract/deployment';
import { sharedStatements } from '../policies/guardrails-policy';
import { KEY_ARN } from './functions';
import { SANDBOX_ACCOUNT, type PrincipalName, type SandboxPrincipal } from './identities';

/** The deployed detection rules, for the sandbox's names (with S3 data events on, as `manifestReadTrail: true`). */
export function detectionRules(principals: Record<PrincipalName, SandboxPrincipal>, region: string, bucket: string) {
  return alertRules({
    manifestFunctionRoleArn: principals.manifestFunction.roleArn,
    unlockCodeFunctionRoleArn: principals.unlockCodeFunction.roleArn,
    unlockCodeOperatorRoleArn: principals.unlockCode.roleArn,
    vaultKeyArns: [KEY_ARN(region, 'manifest'), KEY_ARN(region, 'unlockCode')],
    manifestBucketName: bucket,
    secretPrefix: DEFAULTS.secretPrefix,
    manifestReads: true,
  });
}

/**
 * The guardrails SCPs the guardrails stack deploys in shared mode, for the sandbox's account and
 * region, as one document (SCPs attached side by side deny what any of them denies).
 */
export function sandboxScp(region: string) {
  return {
    Version: '2012-10-17',
    Statement: sharedStatements({
      brokerAccountId: SANDBOX_ACCOUNT,
      brokerRegions: [region],
      secretPrefix: DEFAULTS.secretPrefix,
      deployerPrincipalArns: [`arn:aws:iam::${SANDBOX_ACCOUNT}:role/sandbox-Deployer`],
      operatorPrincipalArns: { manifest: [], unlockCode: [] },
    }),
  };
}
