import { STABLE_NAMES } from '../contract/deployment';
import { OPERATOR_KINDS } from '../contract/vaults';
import { guardrailsNames, type GuardrailsPolicyInput } from '../policies/guardrails-names';
import {
  credentialStatements,
  deny,
  GuardrailsTooLargeError,
  packScps,
  SCP_MAX_CHARS,
  type NamedScp,
  type Statement,
} from '../policies/guardrails-policy';

/**
 * What a job-ordering principal may do: order and manage Snowball jobs (passing the job's service
 * role, picking its topic, key and bucket), nothing else; the credentials themselves stay denied.
 */
const JOB_CREATOR_KEEPS = [
  'snowball:*',
  'iam:PassRole',
  'iam:Get*',
  'iam:List*',
  'sns:Get*',
  'sns:List*',
  'kms:Describe*',
  'kms:List*',
  's3:List*',
  's3:GetBucketLocation',
  'ec2:Describe*',
  'sts:GetCallerIdentity',
];

/**
 * Sealed mode, for an account that holds the broker and nothing else: one SCP that denies every
 * action to every principal of the account but an allowlist (the CDK bootstrap roles by exact
 * name, the deployers, the broker stack's own roles, the job-ordering principals, the jobs' service
 * roles Snowball acts as, break-glass and AWS service-linked roles), lets nobody but the job-ordering principals (and the functions, for
 * their own calls) touch Snowball, and hands each credential only to its function's role.
 *
 * The broker's roles are admitted by the stack-name prefix: in a sealed account only an allowlisted
 * deployer can create a role at all, and `aws-service-role/` is a path IAM reserves for AWS.
 */
export function sealedStatements(input: GuardrailsPolicyInput): Statement[] {
  const n = guardrailsNames(input);
  const creators = input.jobCreatorPrincipalArns ?? [];
  const functionRoles = OPERATOR_KINDS.flatMap((kind) => n.functionRole(kind));
  const inAccount = { StringEquals: { 'aws:PrincipalAccount': n.acct } };
  // Operator principals of the broker account itself may only become their operator role.
  const localOperators = OPERATOR_KINDS.flatMap((kind) => input.operatorPrincipalArns[kind]).filter((arn) => arn.includes(`::${n.acct}:`));
  const allowlist = [
    ...n.allBootstrapRoles,
    ...input.deployerPrincipalArns,
    `arn:aws:iam::${n.acct}:role/${STABLE_NAMES.stack}*`,
    ...creators,
    ...localOperators,
    ...(input.snowballJobRoleArns ?? []),
    ...n.glass,
    `arn:aws:iam::${n.acct}:role/aws-service-role/*`,
  ];
  const statements = [
    deny('OnlyTheAllowlistActsInTheBrokerAccount', { Action: '*' }, '*', allowlist, inAccount),
    deny('SnowballOnlyToJobCreatorsAndFunctions', { Action: 'snowball:*' }, '*', [...creators, ...functionRoles, ...n.glass], inAccount),
    ...credentialStatements(n),
  ];
  if (localOperators.length) {
    const theirs = { ArnLike: { 'aws:PrincipalArn': localOperators } };
    statements.push(
      {
        ...deny('OperatorPrincipalsOnlyAssumeRoles', { NotAction: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }, '*', []),
        Condition: theirs,
      },
      { Sid: 'OperatorPrincipalsOnlyBecomeOperators', Effect: 'Deny', Action: 'sts:*', NotResource: n.operatorRoles, Condition: theirs },
    );
  }
  if (creators.length) {
    statements.push({
      ...deny('JobCreatorsOnlyOrderJobs', { NotAction: JOB_CREATOR_KEEPS }, '*', []),
      Condition: { ArnLike: { 'aws:PrincipalArn': creators } },
    });
  }
  return statements;
}

/** The one SCP of sealed mode; synth stops, naming its size, when the configured names make it too long. */
export function sealedScps(input: GuardrailsPolicyInput): NamedScp[] {
  const name = `snowball-credential-broker-${input.brokerAccountId}-sealed`;
  const chars = JSON.stringify({ Version: '2012-10-17', Statement: sealedStatements(input) }).length;
  if (chars > SCP_MAX_CHARS) {
    throw new GuardrailsTooLargeError(
      `the sealed guardrail SCP ${name} would be ${chars} characters, more than the ${SCP_MAX_CHARS} an SCP may hold: name fewer or shorter principals (deployerPrincipalArns, jobCreatorPrincipalArns, brokerRegions).`,
    );
  }
  return packScps(sealedStatements(input), name).map((scp) => ({ ...scp, name }));
}
