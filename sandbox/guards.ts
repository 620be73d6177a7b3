import { alertRules } from '../lib/alert-rules';
import { DEFAULT_SECRET_PREFIX } from '../lib/contract';
import { cdkDeployRolePattern, guardrailsPolicy } from '../lib/guardrails-policy';
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
    secretPrefix: DEFAULT_SECRET_PREFIX,
    manifestReads: true,
  });
}

/** The guardrails SCP the guardrails stack deploys, for the sandbox's account. */
export function sandboxScp() {
  return guardrailsPolicy({ brokerAccountId: SANDBOX_ACCOUNT, secretPrefix: DEFAULT_SECRET_PREFIX, deployRoleArnPattern: cdkDeployRolePattern(SANDBOX_ACCOUNT) });
}
