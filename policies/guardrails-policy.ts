import { STABLE_NAMES } from '../contract/deployment';
import { OPERATOR_KINDS, VAULTS } from '../contract/vaults';
import { guardrailsNames, type GuardrailsNames, type GuardrailsPolicyInput } from './guardrails-names';
export type { GuardrailsPolicyInput } from './guardrails-names';

/** The largest service control policy AWS Organizations accepts, in characters. */
export const SCP_MAX_CHARS = 5120;
/** SCPs a target may have attached: five, one of them usually FullAWSAccess. */
export const SCP_MAX_OURS = 4;

export type Statement = Record<string, unknown>;
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: Statement[];
}
/** One service control policy, as Organizations takes it. */
export interface NamedScp {
  readonly name: string;
  readonly content: PolicyDocument;
}

/** A guardrail SCP would be larger than Organizations accepts: synth stops with this. */
export class GuardrailsTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailsTooLargeError';
  }
}

/** Deny, except to the principals named (a missing list means: to everyone). */
export function deny(
  sid: string,
  what: { Action?: string | string[]; NotAction?: string[] },
  resource: string | string[],
  exempt: string[],
  extra: Record<string, unknown> = {},
): Statement {
  const unless = exempt.length ? { ArnNotLike: { 'aws:PrincipalArn': exempt } } : {};
  const condition = { ...extra, ...unless };
  return { Sid: sid, Effect: 'Deny', ...what, Resource: resource, ...(Object.keys(condition).length ? { Condition: condition } : {}) };
}

/**
 * What everyone keeps on the broker's own resources: reading them, invoking the functions, writing
 * logs, publishing and subscribing to its topics, working its queues, the vaults' object and key
 * calls (their resource and key policies decide those). Everything else on them, IAM passing and
 * changing included, is a deploy's.
 */
const EVERYONE_KEEPS = [
  'iam:Get*',
  'iam:List*',
  'sts:*',
  'lambda:Get*',
  'lambda:List*',
  'lambda:Invoke*',
  'events:Describe*',
  'events:List*',
  'sns:Get*',
  'sns:List*',
  'sns:Publish',
  'sns:Subscribe',
  'sns:ConfirmSubscription',
  'logs:Describe*',
  'logs:Get*',
  'logs:List*',
  'logs:Filter*',
  'logs:Start*',
  'logs:CreateLog*',
  'logs:PutLogEvents',
  'cloudwatch:Describe*',
  'cloudwatch:Get*',
  'cloudwatch:List*',
  'sqs:Get*',
  'sqs:List*',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:SendMessage',
  's3:Get*',
  's3:List*',
  's3:PutObject',
  's3:PutObjectTagging',
  's3:DeleteObject',
  'cloudformation:Describe*',
  'cloudformation:Get*',
  'cloudformation:List*',
  'cloudtrail:Describe*',
  'cloudtrail:Get*',
  'cloudtrail:List*',
  'cloudtrail:LookupEvents',
  'kms:Describe*',
  'kms:List*',
];

/** Changes to the broker's keys (by tag) and API (by tag, inherited by its stages, deployments and policy). */
const TAGGED_CHANGES = [
  'kms:Put*',
  'kms:Disable*',
  'kms:Schedule*',
  'kms:Create*',
  'kms:Revoke*',
  'kms:Retire*',
  'kms:Update*',
  'kms:Delete*',
  'kms:Replicate*',
  'kms:Import*',
  'kms:*Tag*',
  'apigateway:PUT',
  'apigateway:POST',
  'apigateway:PATCH',
  'apigateway:DELETE',
  'apigateway:Update*',
];

/** Snowball hands each credential only to its own function's role (and break-glass). Both modes. */
export function credentialStatements(n: GuardrailsNames): Statement[] {
  const inBrokerAccount = { StringEquals: { 'aws:PrincipalAccount': n.acct } };
  return OPERATOR_KINDS.map((kind) =>
    deny(
      `${VAULTS[kind].name}OnlyToItsFunction`,
      { Action: VAULTS[kind].snowballAction },
      '*',
      [...n.functionRole(kind), ...n.glass],
      inBrokerAccount,
    ),
  );
}

/** Who may become whom: bootstrap and function roles only for deploys, each operator role only for its principals. */
export function assumeStatements(n: GuardrailsNames, input: GuardrailsPolicyInput): Statement[] {
  const fnRoles = OPERATOR_KINDS.flatMap((kind) => n.functionRole(kind));
  const statements = [
    deny('BootstrapAndFunctionRolesOnlyToDeployers', { Action: 'sts:*' }, [n.resources.bootstrapRoles, ...fnRoles], n.deploy),
  ];
  for (const kind of OPERATOR_KINDS) {
    statements.push(
      deny(`${VAULTS[kind].name}OperatorOnlyToItsPrincipals`, { Action: 'sts:*' }, n.operatorRole(kind), [
        ...input.operatorPrincipalArns[kind],
        ...n.glass,
      ]),
    );
  }
  const localRoles = n.localPrincipals.filter((arn) => arn.includes(':role/'));
  if (localRoles.length) {
    statements.push(
      deny('ConfiguredRolesNotAssumedFromInside', { Action: 'sts:*' }, localRoles, n.deploy, {
        StringEquals: { 'aws:PrincipalAccount': n.acct },
      }),
    );
  }
  if (input.breakGlassRoleArn) {
    statements.push(
      deny(
        'BreakGlassOnlyToItsPrincipals',
        { Action: 'sts:*' },
        input.breakGlassRoleArn,
        [...(input.breakGlassPrincipalArns ?? []), ...n.glass],
        { StringEquals: { 'aws:PrincipalAccount': n.acct } },
      ),
    );
  }
  return statements;
}

/** Every other change to the broker's resources, and to the trails detection reads, only through a deploy. */
function changeStatements(n: GuardrailsNames): Statement[] {
  const r = n.resources;
  const named = [
    r.bootstrapRoles,
    r.brokerRoles,
    ...n.glass,
    ...n.localPrincipals,
    r.functions,
    r.rules,
    r.topics,
    r.logGroups,
    r.alarms,
    r.queues,
    ...r.stacks,
    r.trails,
    r.keyAliases,
    ...r.manifestBucket,
  ];
  const tag = STABLE_NAMES.guardTag;
  return [
    deny('BrokerResourcesOnlyThroughDeploys', { NotAction: EVERYONE_KEEPS }, named, n.deploy),
    // The manifest function tags each version with its SHA-256 (its only way to compare without
    // reading); nobody else may rewrite those tags and so make it keep a stale manifest.
    deny('ManifestTagsOnlyByItsFunction', { Action: 's3:PutObjectTagging' }, r.manifestBucket[1], [
      ...n.deploy,
      ...n.functionRole('manifest'),
    ]),
    // API Gateway ARNs name no account, and the tag key could be anyone's: both only in the broker account.
    deny('TaggedKeysAndApiOnlyThroughDeploys', { Action: TAGGED_CHANGES }, [r.keys, r.restApis], n.deploy, {
      StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value, 'aws:ResourceAccount': n.acct },
    }),
    deny('GuardTagOnlyThroughDeploys', { Action: '*' }, '*', n.deploy, {
      'ForAnyValue:StringEquals': { 'aws:TagKeys': [tag.key] },
      StringEquals: { 'aws:ResourceAccount': n.acct },
    }),
    deny(
      'LogAndAssetBucketsOnlyThroughDeploys',
      { NotAction: ['s3:Get*', 's3:List*'] },
      r.logAndAssetBuckets.flatMap((b) => [b, `${b}/*`]),
      n.deploy,
    ),
    deny('EventSourcesOfFunctionsOnlyThroughDeploys', { Action: 'lambda:*EventSourceMapping' }, '*', n.deploy, {
      ArnLike: { 'lambda:FunctionArn': r.functions },
    }),
    deny(
      'UnlockCodeSecretsOnlyThroughTheFunction',
      { NotAction: ['secretsmanager:Describe*', 'secretsmanager:List*', 'secretsmanager:Get*'] },
      r.secrets,
      [...n.deploy, ...n.functionRole('unlockCode')],
    ),
  ];
}

/** Every statement of shared mode, before they are packed into SCPs. */
export function sharedStatements(input: GuardrailsPolicyInput): Statement[] {
  const n = guardrailsNames(input);
  return [...credentialStatements(n), ...assumeStatements(n, input), ...changeStatements(n)];
}

const size = (doc: PolicyDocument) => JSON.stringify(doc).length;

/**
 * Packs statements, first fit, into as few SCPs as hold them (each within 5,120 characters, minified as
 * Organizations stores it), named `snowball-credential-broker-ACCOUNT-MODE-N`. Throws, naming the
 * statement and its size, when one cannot fit, and when more SCPs than a target can take are needed.
 */
export function packScps(statements: Statement[], name: string): NamedScp[] {
  const docs: PolicyDocument[] = [];
  for (const statement of statements) {
    const alone = size({ Version: '2012-10-17', Statement: [statement] });
    if (alone > SCP_MAX_CHARS) {
      throw new GuardrailsTooLargeError(
        `the guardrail SCP ${name}-${docs.length + 1} would be ${alone} characters with its statement ${String(statement.Sid)} alone, more than the ${SCP_MAX_CHARS} an SCP may hold: name fewer or shorter principals (deployerPrincipalArns, operator principals, jobCreatorPrincipalArns, brokerRegions).`,
      );
    }
    const room = docs.find((doc) => size({ ...doc, Statement: [...doc.Statement, statement] }) <= SCP_MAX_CHARS);
    if (room) room.Statement.push(statement);
    else docs.push({ Version: '2012-10-17', Statement: [statement] });
  }
  const scps = docs.map((content, i) => ({ name: `${name}-${i + 1}`, content }));
  if (scps.length > SCP_MAX_OURS) {
    throw new GuardrailsTooLargeError(
      `the guardrails need ${scps.length} SCPs (${scps.map((s) => `${s.name}: ${size(s.content)} characters`).join(', ')}), more than the ${SCP_MAX_OURS} a target can take beside FullAWSAccess: name fewer or shorter principals.`,
    );
  }
  return scps;
}

/** Shared mode: the broker shares its account, so the SCPs deny around its own resources only. */
export function sharedScps(input: GuardrailsPolicyInput): NamedScp[] {
  return packScps(sharedStatements(input), `snowball-credential-broker-${input.brokerAccountId}-shared`);
}
