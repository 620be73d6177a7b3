import { runSimulation } from '@cloud-copilot/iam-simulate';
import { STABLE_NAMES } from '../../lib/contract';
import { cdkDeployRolePattern, guardrailsPolicy } from '../../lib/guardrails-policy';
import { scpDenies } from '../../sandbox/scp';

/**
 * The sandbox applies the guardrails SCP with a small evaluator of its own (iam-simulate is AGPL
 * and stays out of what users run). Here it must agree with iam-simulate on every request.
 */
const ACCOUNT = '111122223333';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/BreakGlass`;
const scp = guardrailsPolicy({ brokerAccountId: ACCOUNT, secretPrefix: 'snowball/unlock-code/', deployRoleArnPattern: cdkDeployRolePattern(ACCOUNT), breakGlassRoleArn: BREAK_GLASS });
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const WHO = [
  role('PlatformAdmin'),
  role(STABLE_NAMES.functionRole('manifest', 'eu-west-1')),
  role(STABLE_NAMES.functionRole('unlockCode', 'eu-west-1')),
  role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`),
  BREAK_GLASS,
];
const REQUESTS: [string, string, Record<string, string | string[]>][] = [
  ['snowball:GetJobUnlockCode', '*', {}],
  ['snowball:GetJobManifest', '*', {}],
  ['snowball:DescribeJob', '*', {}],
  ['kms:PutKeyPolicy', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1`, { 'kms:ResourceAliases': ['alias/snowball-credential-broker/unlock-code-vault'] }],
  ['kms:PutKeyPolicy', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k2`, { 'kms:ResourceAliases': ['alias/other'] }],
  ['secretsmanager:DeleteResourcePolicy', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:snowball/unlock-code/JID1-AbCdEf`, {}],
  ['secretsmanager:PutResourcePolicy', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:snowball/unlock-code/JID1-AbCdEf`, {}],
  ['s3:PutBucketPolicy', `arn:aws:s3:::${STABLE_NAMES.manifestBucket(ACCOUNT, 'eu-west-1')}`, {}],
  ['iam:UpdateAssumeRolePolicy', role(STABLE_NAMES.functionRole('manifest', 'eu-west-1')), {}],
];

async function simulated(who: string, action: string, resource: string, extra: Record<string, string | string[]>): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: who.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/s',
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': who, 'aws:PrincipalAccount': ACCOUNT, ...extra },
      },
      identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      serviceControlPolicies: [{ orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }, { name: 'guardrails', policy: scp }] }],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult === 'ExplicitlyDenied';
}

describe("the sandbox's SCP evaluator agrees with iam-simulate", () => {
  const cases = WHO.flatMap((who) => REQUESTS.map(([action, resource, extra]) => [who.split('/').pop()!, action, who, resource, extra] as const));
  it.each(cases)('%s %s', async (_name, action, who, resource, extra) => {
    const context = { 'aws:PrincipalArn': who, 'aws:PrincipalAccount': ACCOUNT, ...extra };
    expect(scpDenies(scp, { action, resource, context })).toBe(await simulated(who, action, resource, extra));
  });

  it('denies at least one request and allows at least one (the comparison is not vacuous)', () => {
    const decide = (who: string) => scpDenies(scp, { action: 'snowball:GetJobUnlockCode', resource: '*', context: { 'aws:PrincipalArn': who, 'aws:PrincipalAccount': ACCOUNT } });
    expect([decide(WHO[0]), decide(WHO[2])]).toEqual([true, false]);
  });
});
