import { runSimulation } from '@cloud-copilot/iam-simulate';
import { STABLE_NAMES } from '../../contract/deployment';
import { sharedStatements } from '../../policies/guardrails-policy';
import { sealedStatements } from '../../lib/guardrails-sealed';
import { scpDenies } from '../../sandbox/scp';

/**
 * The sandbox applies the guardrails SCPs with a small evaluator of its own (iam-simulate is AGPL
 * and stays out of what users run). Here it must agree with iam-simulate on every request, in both
 * modes, including how IAM treats case: action names case-insensitively, ARNs case-sensitively.
 */
const ACCOUNT = '111122223333';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BREAK_GLASS = role('BreakGlass');
const INPUT = {
  brokerAccountId: ACCOUNT,
  brokerRegions: ['eu-west-1'],
  secretPrefix: 'snowball/unlock-code/',
  breakGlassRoleArn: BREAK_GLASS,
  deployerPrincipalArns: [role('BrokerPipeline')],
  operatorPrincipalArns: { manifest: [role('FieldTeam')], unlockCode: [] },
  jobCreatorPrincipalArns: [role('Logistics')],
};
const SCPS = {
  shared: { Version: '2012-10-17', Statement: sharedStatements(INPUT) },
  sealed: { Version: '2012-10-17', Statement: sealedStatements(INPUT) },
};
const FN = role(STABLE_NAMES.functionRole('manifest', 'eu-west-1'));
const WHO = [
  role('PlatformAdmin'),
  FN,
  role(STABLE_NAMES.functionRole('unlockCode', 'eu-west-1')),
  role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`),
  role(`CDK-HNB659FDS-CFN-EXEC-ROLE-${ACCOUNT}-EU-WEST-1`),
  role('BrokerPipeline'),
  role('Logistics'),
  BREAK_GLASS,
];
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:snowball/unlock-code/JID1-AbCdEf`;
const TAGGED = { 'aws:ResourceTag/snowball-credential-broker': 'guarded' };
const REQUESTS: [string, string, Record<string, string | string[]>][] = [
  ['snowball:GetJobUnlockCode', '*', {}],
  ['SNOWBALL:getjobmanifest', '*', {}],
  ['snowball:CreateJob', '*', {}],
  ['kms:PutKeyPolicy', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1`, TAGGED],
  ['kms:PutKeyPolicy', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k2`, { 'aws:ResourceTag/snowball-credential-broker': 'GUARDED' }],
  ['kms:Decrypt', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1`, TAGGED],
  ['secretsmanager:DeleteResourcePolicy', SECRET, {}],
  ['secretsmanager:CreateSecret', SECRET, {}],
  ['secretsmanager:GetSecretValue', SECRET, {}],
  ['secretsmanager:PutResourcePolicy', SECRET.replace('snowball/unlock-code/', 'Snowball/Unlock-Code/'), {}],
  ['s3:PutBucketPolicy', `arn:aws:s3:::${STABLE_NAMES.manifestBucket(ACCOUNT, 'eu-west-1')}`, {}],
  ['s3:GetObject', `arn:aws:s3:::${STABLE_NAMES.manifestBucket(ACCOUNT, 'eu-west-1')}/manifests/x`, {}],
  ['iam:UpdateAssumeRolePolicy', FN, {}],
  ['iam:passrole', FN, {}],
  ['sts:AssumeRole', role(STABLE_NAMES.operatorRole('manifest', 'eu-west-1')), {}],
  ['lambda:UpdateFunctionCode', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:SnowballCredentialBroker-ManifestFunction1-AbC`, {}],
  ['lambda:UpdateFunctionCode', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:snowballcredentialbroker-x`, {}],
  [
    'lambda:CreateEventSourceMapping',
    '*',
    { 'lambda:FunctionArn': `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:SnowballCredentialBroker-X` },
  ],
  ['events:DisableRule', `arn:aws:events:eu-west-1:${ACCOUNT}:rule/SnowballCredentialBroker-DetectionX`, {}],
  ['ec2:RunInstances', '*', {}],
  ['iam:TagRole', role('Unrelated'), { 'aws:TagKeys': ['snowball-credential-broker'] }],
];

async function simulated(
  policy: unknown,
  who: string,
  action: string,
  resource: string,
  extra: Record<string, string | string[]>,
): Promise<boolean> {
  const all = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const result = await runSimulation(
    {
      request: {
        principal: who.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/s',
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': who, 'aws:PrincipalAccount': ACCOUNT, 'aws:ResourceAccount': ACCOUNT, ...extra },
      },
      identityPolicies: [{ name: 'all', policy: all }],
      serviceControlPolicies: [
        {
          orgIdentifier: 'r-root',
          policies: [
            { name: 'FullAWSAccess', policy: all },
            { name: 'guardrails', policy },
          ],
        },
      ],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult === 'ExplicitlyDenied';
}

describe.each(['shared', 'sealed'] as const)("the sandbox's SCP evaluator agrees with iam-simulate (%s)", (mode) => {
  const cases = WHO.flatMap((who) =>
    REQUESTS.map(([action, resource, extra]) => [who.split('/').pop()!, action, resource.split(':').pop()!, who, resource, extra] as const),
  );
  it.each(cases)('%s %s %s', async (_name, action, _short, who, resource, extra) => {
    const context = { 'aws:PrincipalArn': who, 'aws:PrincipalAccount': ACCOUNT, 'aws:ResourceAccount': ACCOUNT, ...extra };
    expect(scpDenies(SCPS[mode], { action, resource, context })).toBe(await simulated(SCPS[mode], who, action, resource, extra));
  });
});

describe('the comparison is not vacuous', () => {
  const decide = (who: string, resource = '*') =>
    scpDenies(SCPS.shared, {
      action: 'snowball:GetJobUnlockCode',
      resource,
      context: { 'aws:PrincipalArn': who, 'aws:PrincipalAccount': ACCOUNT },
    });

  it('denies at least one request and allows at least one', () => {
    expect([decide(WHO[0]), decide(WHO[2])]).toEqual([true, false]);
  });

  it('matches ARNs case-sensitively, as AWS does: an upper-cased exempt name is not exempt', () => {
    expect(decide(WHO[2].toUpperCase().replace('ARN:AWS:IAM::', 'arn:aws:iam::'))).toBe(true);
  });
});
