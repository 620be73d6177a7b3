import { runSimulation } from '@cloud-copilot/iam-simulate';
import { OUTPUTS } from '../../contract/deployment';
import { synthBroker, TEST_ENV } from '../helpers/synth';
import { TemplateResolver } from '../helpers/template-resolver';

/**
 * Every delivery wire of the synthesized stack, found in the template itself, judged as AWS judges
 * it: the sending service principal against the receiver's resource policy and, where the receiver
 * is encrypted, its key policy, with the context keys AWS fills in. A new wire whose receiver does
 * not admit its sender fails here, and so does a resource type this test does not know the wires of.
 */
const { account, region } = TEST_ENV;
const FOREIGN = '999999999999';
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';
// Every optional wire on: trails, e-mail subscriptions, the read alarm.
const { template } = synthBroker({ managementTrail: true, manifestReadTrail: true, alertEmails: ['ops@example.com'] });
const raw = template.toJSON() as { Resources: Record<string, { Type: string; Properties: any }>; Outputs: Record<string, any> };
const R = raw.Resources;
const resolver = new TemplateResolver(raw, TEST_ENV);

type Context = Record<string, string | string[]>;
interface Check {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly policy: unknown;
  readonly context: Context;
  readonly identityPolicies?: { name: string; policy: unknown }[];
}
interface Wire {
  readonly name: string;
  /** What AWS checks for one delivery: the receiver's policy, then its key's. */
  readonly checks: Check[];
  /** The same delivery on behalf of another account's resource: must be refused. */
  readonly foreign?: Check[];
}

/** The id a `Ref` / `Fn::GetAtt` points at. */
const target = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];
const arnOf = (id: string) => (R[id].Type === 'AWS::SNS::Topic' ? resolver.attribute(id, 'Ref') : resolver.attribute(id, 'Arn'));
const policyOf = (type: string, field: string, id: string) =>
  Object.values(R)
    .filter((r) => r.Type === type && [r.Properties[field]].flat().some((x: any) => target(x) === id))
    .map((r) => resolver.resolve(r.Properties.PolicyDocument))[0];
const keyOf = (id: string): { arn: string; policy: unknown } | undefined => {
  const keyId = target(R[id].Properties.KmsMasterKeyId);
  return keyId ? { arn: resolver.attribute(keyId, 'Arn'), policy: resolver.resolve(R[keyId].Properties.KeyPolicy) } : undefined;
};
/** A Lambda function's resource policy, as Lambda builds it from its permissions. */
const functionPolicy = (fnId: string) => ({
  Version: '2012-10-17',
  Statement: Object.values(R)
    .filter((r) => r.Type === 'AWS::Lambda::Permission' && target(r.Properties.FunctionName) === fnId)
    .map((r) => ({
      Effect: 'Allow',
      Principal: { Service: r.Properties.Principal },
      Action: r.Properties.Action,
      Resource: arnOf(fnId),
      Condition: {
        ...(r.Properties.SourceArn ? { ArnLike: { 'aws:SourceArn': resolver.resolve(r.Properties.SourceArn) } } : {}),
        ...(r.Properties.SourceAccount ? { StringEquals: { 'aws:SourceAccount': r.Properties.SourceAccount } } : {}),
      },
    })),
});
const sourced = (sourceArn: string, sourceAccount = account): Context => ({
  'aws:SourceArn': sourceArn,
  'aws:SourceAccount': sourceAccount,
  'aws:SecureTransport': 'true',
});
const foreignArn = (arn: string) => arn.replace(`:${account}:`, `:${FOREIGN}:`);

/** A service delivering into `receiverId` (topic, queue or function) on behalf of `sourceArn`. */
function delivery(service: string, receiverId: string, sourceArn: string): Pick<Wire, 'checks' | 'foreign'> {
  const type = R[receiverId].Type;
  const build = (src: string, acct: string): Check[] => {
    const context = sourced(src, acct);
    const receiver = arnOf(receiverId);
    if (type === 'AWS::Lambda::Function')
      return [{ principal: service, action: 'lambda:InvokeFunction', resource: receiver, policy: functionPolicy(receiverId), context }];
    const [action, ctxKey, via] =
      type === 'AWS::SNS::Topic' ? ['sns:Publish', 'aws:sns:topicArn', 'sns'] : ['sqs:SendMessage', 'aws:sqs:arn', 'sqs'];
    if (type !== 'AWS::SNS::Topic' && type !== 'AWS::SQS::Queue')
      throw new Error(`unknown receiver type ${type} of ${receiverId}: teach the wiring test this wire`);
    const checks: Check[] = [
      {
        principal: service,
        action,
        resource: receiver,
        policy: policyOf(
          type === 'AWS::SNS::Topic' ? 'AWS::SNS::TopicPolicy' : 'AWS::SQS::QueuePolicy',
          type === 'AWS::SNS::Topic' ? 'Topics' : 'Queues',
          receiverId,
        ),
        context,
      },
    ];
    const key = keyOf(receiverId);
    for (const keyAction of key ? ['kms:GenerateDataKey', 'kms:Decrypt'] : []) {
      checks.push({
        principal: service,
        action: keyAction,
        resource: key!.arn,
        policy: key!.policy,
        context: { ...context, [`kms:EncryptionContext:${ctxKey}`]: receiver, 'kms:ViaService': `${via}.${region}.amazonaws.com` },
      });
    }
    return checks;
  };
  return { checks: build(sourceArn, account), foreign: build(foreignArn(sourceArn), FOREIGN) };
}

/** Resource types that carry no delivery wire of their own (their wires are read from the types below). */
const WIRELESS = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::S3::BucketPolicy',
  'AWS::Logs::LogGroup',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Account',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Model',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::Logs::MetricFilter',
  'AWS::CDK::Metadata',
]);

function alarmWires(id: string, p: any): Wire[] {
  const actions = [...(p.AlarmActions ?? []), ...(p.OKActions ?? []), ...(p.InsufficientDataActions ?? [])];
  return actions.map((a: any) => ({ name: `alarm ${id} → ${target(a)}`, ...delivery('cloudwatch.amazonaws.com', target(a)!, arnOf(id)) }));
}

function ruleWires(id: string, p: any): Wire[] {
  return (p.Targets ?? []).flatMap((t: any) => {
    if (t.RoleArn) throw new Error(`rule ${id} delivers through a role: teach the wiring test this wire`);
    const wires = [{ name: `rule ${id} → ${target(t.Arn)}`, ...delivery('events.amazonaws.com', target(t.Arn)!, arnOf(id)) }];
    if (t.DeadLetterConfig)
      wires.push({
        name: `rule ${id} → dead letters ${target(t.DeadLetterConfig.Arn)}`,
        ...delivery('events.amazonaws.com', target(t.DeadLetterConfig.Arn)!, arnOf(id)),
      });
    return wires;
  });
}

function subscriptionWires(id: string, p: any): Wire[] {
  const topic = arnOf(target(p.TopicArn)!);
  const wires: Wire[] = [];
  if (p.Protocol === 'sqs' || p.Protocol === 'lambda')
    wires.push({ name: `topic → ${target(p.Endpoint)}`, ...delivery('sns.amazonaws.com', target(p.Endpoint)!, topic) });
  else if (p.Protocol !== 'email') throw new Error(`subscription ${id} uses ${p.Protocol}: teach the wiring test this wire`);
  if (p.RedrivePolicy)
    wires.push({
      name: `topic → dead letters ${target(p.RedrivePolicy.deadLetterTargetArn)}`,
      ...delivery('sns.amazonaws.com', target(p.RedrivePolicy.deadLetterTargetArn)!, topic),
    });
  return wires;
}

/** Lambda polls the queue with the function's own role: its identity policies and the queue's policy decide. */
function pollerWires(_id: string, p: any): Wire[] {
  const queueId = target(p.EventSourceArn)!;
  const roleId = target(R[target(p.FunctionName)!].Properties.Role)!;
  const roleArn = resolver.attribute(roleId, 'Arn');
  const identityPolicies = Object.entries(R)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => target(x) === roleId))
    .map(([name, r]) => ({ name, policy: resolver.resolve(r.Properties.PolicyDocument) }));
  const session = roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/poller';
  const checks = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({
    principal: session,
    action,
    resource: arnOf(queueId),
    policy: policyOf('AWS::SQS::QueuePolicy', 'Queues', queueId),
    context: { 'aws:PrincipalArn': roleArn, 'aws:PrincipalAccount': account, 'aws:SecureTransport': 'true' },
    identityPolicies,
  }));
  if (keyOf(queueId)) throw new Error(`queue ${queueId} has its own key: teach the wiring test its poller's decrypt`);
  return [{ name: `queue ${queueId} → function ${target(p.FunctionName)} (as ${roleId})`, checks }];
}

/** The path of an API resource, from its parents. */
function apiPath(resourceId: string | undefined): string {
  if (!resourceId || R[resourceId]?.Type !== 'AWS::ApiGateway::Resource') return '';
  const part = R[resourceId].Properties.PathPart.replace(/^\{.*\}$/, JOB);
  return `${apiPath(target(R[resourceId].Properties.ParentId))}/${part}`;
}

function methodWires(id: string, p: any): Wire[] {
  const integration = p.Integration ?? {};
  if (integration.Type === 'MOCK' || integration.Type === 'HTTP' || integration.Type === 'HTTP_PROXY') return [];
  if (integration.Type === 'AWS' && /iam::\*:user\/\*/.test(JSON.stringify(integration.Credentials ?? ''))) return []; // the caller's own credentials: the access matrix judges them
  const roleId = target(integration.Credentials);
  if (integration.Type === 'AWS' && roleId && R[roleId]?.Type === 'AWS::IAM::Role') {
    // API Gateway calls the service as a role of the stack: the role's trust policy must admit it.
    const trust = resolver.resolve(R[roleId].Properties.AssumeRolePolicyDocument);
    const check = (acct: string): Check => ({
      principal: 'apigateway.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: arnOf(roleId),
      policy: trust,
      context: { 'aws:SourceAccount': acct, 'aws:SecureTransport': 'true' },
    });
    return [{ name: `API ${p.HttpMethod} ${apiPath(target(p.ResourceId))} → role ${roleId}`, checks: [check(account)] }];
  }
  if (integration.Type !== 'AWS_PROXY') throw new Error(`method ${id} integrates as ${integration.Type}: teach the wiring test this wire`);
  const fnId = JSON.stringify(integration.Uri).match(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/)![1];
  const api = resolver.attribute(target(p.RestApiId)!, 'Ref');
  const stage = Object.values(R).find((r) => r.Type === 'AWS::ApiGateway::Stage')!.Properties.StageName;
  const path = apiPath(target(p.ResourceId));
  const source = `arn:aws:execute-api:${region}:${account}:${api}/${stage}/${p.HttpMethod}${path}`;
  return [{ name: `API ${p.HttpMethod} ${path} → ${fnId}`, ...delivery('apigateway.amazonaws.com', fnId, source) }];
}

function bucketWires(id: string, p: any): Wire[] {
  if (!p.LoggingConfiguration) return [];
  const destId = target(p.LoggingConfiguration.DestinationBucketName)!;
  const encryption = JSON.stringify(R[destId].Properties.BucketEncryption ?? {});
  if (encryption.includes('aws:kms'))
    throw new Error(`access logs of ${id} go to a KMS-encrypted bucket, which S3 server access logging cannot write`);
  const object = `${arnOf(destId)}/${p.LoggingConfiguration.LogFilePrefix ?? ''}2026-11-25-10-00-00-ABCDEF`;
  const policy = policyOf('AWS::S3::BucketPolicy', 'Bucket', destId);
  const check = (acct: string, src: string): Check => ({
    principal: 'logging.s3.amazonaws.com',
    action: 's3:PutObject',
    resource: object,
    policy,
    context: sourced(src, acct),
  });
  return [
    { name: `access logs of ${id} → ${destId}`, checks: [check(account, arnOf(id))], foreign: [check(FOREIGN, foreignArn(arnOf(id)))] },
  ];
}

function trailWires(id: string, p: any): Wire[] {
  for (const field of ['KMSKeyId', 'SnsTopicName', 'CloudWatchLogsLogGroupArn']) {
    if (p[field]) throw new Error(`trail ${id} has ${field}: teach the wiring test this wire`);
  }
  const bucketId = target(p.S3BucketName)!;
  const policy = policyOf('AWS::S3::BucketPolicy', 'Bucket', bucketId);
  const checks = (src: string, acct: string): Check[] => [
    { principal: 'cloudtrail.amazonaws.com', action: 's3:GetBucketAcl', resource: arnOf(bucketId), policy, context: sourced(src, acct) },
    {
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: `${arnOf(bucketId)}/AWSLogs/${account}/CloudTrail/${region}/2026/11/25/log.json.gz`,
      policy,
      context: { ...sourced(src, acct), 's3:x-amz-acl': 'bucket-owner-full-control' },
    },
  ];
  return [{ name: `trail ${id} → ${bucketId}`, checks: checks(arnOf(id), account), foreign: checks(foreignArn(arnOf(id)), FOREIGN) }];
}

const WIRES_OF: Record<string, (id: string, p: any) => Wire[]> = {
  'AWS::CloudWatch::Alarm': alarmWires,
  'AWS::Events::Rule': ruleWires,
  'AWS::SNS::Subscription': subscriptionWires,
  'AWS::Lambda::EventSourceMapping': pollerWires,
  'AWS::ApiGateway::Method': methodWires,
  'AWS::S3::Bucket': bucketWires,
  'AWS::CloudTrail::Trail': trailWires,
  'AWS::SQS::Queue': () => [], // a queue's redrive to its dead-letter queue is SQS's own, within the account
};

/** Wires from outside the stack, into what an output hands to AWS: Snowball publishes job notifications. */
function externalWires(): Wire[] {
  const topicId = target(raw.Outputs[OUTPUTS.jobNotificationTopicArn].Value)!;
  return [
    {
      name: `Snowball (importexport.amazonaws.com) → ${topicId}`,
      ...delivery('importexport.amazonaws.com', topicId, `arn:aws:snowball:${region}:${account}:job/${JOB}`),
    },
  ];
}

function allWires(): Wire[] {
  const wires = Object.entries(R).flatMap(([id, r]) => {
    if (WIRES_OF[r.Type]) return WIRES_OF[r.Type](id, r.Properties);
    if (WIRELESS.has(r.Type)) {
      if (r.Type === 'AWS::Lambda::Function' && (r.Properties.DeadLetterConfig || r.Properties.DestinationConfig))
        throw new Error(`function ${id} delivers its failures somewhere: teach the wiring test this wire`);
      return [];
    }
    throw new Error(`unknown resource type ${r.Type} (${id}): teach the wiring test its wires`);
  });
  return [...wires, ...externalWires()];
}

/**
 * iam-simulate 0.1.173 normalises a request's `kms:EncryptionContext:<key>` to the spec's
 * placeholder and so never matches one: the test settles those StringEquals conditions itself
 * (keeping a statement whose context matches, voiding one whose context does not) and hands the
 * rest to the simulator.
 */
function settleEncryptionContext(policy: any, context: Context): unknown {
  if (!policy?.Statement) return policy;
  const statements = [policy.Statement].flat().map((s: any) => {
    const equals = s.Condition?.StringEquals;
    const keys = Object.keys(equals ?? {}).filter((k) => k.startsWith('kms:EncryptionContext:'));
    if (!keys.length) return s;
    const holds = keys.every((k) => [equals[k]].flat().includes(context[k] as string));
    const rest = Object.fromEntries(Object.entries(equals).filter(([k]) => !keys.includes(k)));
    const StringEquals = holds ? rest : { ...rest, 'aws:SourceAccount': 'encryption-context-mismatch' };
    return { ...s, Condition: { ...s.Condition, StringEquals } };
  });
  return { ...policy, Statement: statements };
}

async function decide(check: Check): Promise<string> {
  const context = Object.fromEntries(Object.entries(check.context).filter(([k]) => !k.startsWith('kms:EncryptionContext:')));
  const result = await runSimulation(
    {
      request: {
        principal: check.principal,
        action: check.action,
        resource: { resource: check.resource, accountId: account },
        contextVariables: context,
      },
      identityPolicies: check.identityPolicies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: settleEncryptionContext(check.policy, check.context) as never,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const WIRES = allWires();

describe('every delivery wire of the stack, as AWS judges it', () => {
  it('finds the wires of every kind the stack has', () => {
    const kinds = new Set(WIRES.map((w) => w.name.split(' ')[0]));
    expect([...kinds].sort()).toEqual(['API', 'Snowball', 'access', 'alarm', 'queue', 'rule', 'topic', 'trail']);
    expect(WIRES.filter((w) => w.name.startsWith('alarm')).length).toBe(
      Object.values(R).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length,
    );
  });

  it.each(WIRES.map((w) => [w.name, w] as const))('%s is admitted by its receiver (and its key)', async (_name, wire) => {
    for (const check of wire.checks) expect([check.action, await decide(check)]).toEqual([check.action, 'Allowed']);
  });

  it.each(WIRES.filter((w) => w.foreign).map((w) => [w.name, w] as const))(
    "%s is refused for another account's source",
    async (_name, wire) => {
      const decisions = await Promise.all(wire.foreign!.map(decide));
      // The receiver's own policy refuses; a key never sees a refused delivery.
      expect(decisions[0]).not.toBe('Allowed');
    },
  );

  it('refuses a wire whose receiver lacks the grant (negative control: the alerts topic without its alarm statement)', async () => {
    const wire = WIRES.find((w) => w.name.startsWith('alarm'))!;
    const policy = wire.checks[0].policy as { Statement: { Sid?: string }[] };
    const stripped = { ...policy, Statement: policy.Statement.filter((s) => s.Sid !== 'AlarmsOfThisStackPublish') };
    expect(await decide(wire.checks[0])).toBe('Allowed');
    expect(await decide({ ...wire.checks[0], policy: stripped })).not.toBe('Allowed');
  });

  it('admits a service to a topic key only for that topic', async () => {
    const wire = WIRES.find((w) => w.name.startsWith('Snowball'))!;
    const key = wire.checks.find((c) => c.action === 'kms:GenerateDataKey')!;
    const other = `arn:aws:sns:${region}:${account}:SomeoneElsesTopic`;
    expect(await decide(key)).toBe('Allowed');
    expect(await decide({ ...key, context: { ...key.context, 'kms:EncryptionContext:aws:sns:topicArn': other } })).not.toBe('Allowed');
  });
});

describe('every service principal a policy admits is conditioned on its source', () => {
  const SOURCE_KEYS = /aws:SourceArn|aws:SourceAccount|kms:EncryptionContext:/;
  const policies = Object.entries(R).flatMap(([id, r]) => {
    const doc =
      r.Type === 'AWS::KMS::Key'
        ? r.Properties.KeyPolicy
        : ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy'].includes(r.Type)
          ? r.Properties.PolicyDocument
          : undefined;
    return doc ? [[id, doc] as const] : [];
  });

  it.each(policies)('%s', (_id, doc) => {
    const statements = doc.Statement as { Effect: string; Principal?: { Service?: string | string[] }; Condition?: unknown }[];
    for (const s of statements.filter((x) => x.Effect === 'Allow' && x.Principal?.Service)) {
      const guardedByDeny = statements.some(
        (d) =>
          d.Effect === 'Deny' &&
          JSON.stringify(d.Principal) === JSON.stringify(s.Principal) &&
          SOURCE_KEYS.test(JSON.stringify(d.Condition ?? {})),
      );
      expect([s.Principal, SOURCE_KEYS.test(JSON.stringify(s.Condition ?? {})) || guardedByDeny]).toEqual([s.Principal, true]);
    }
  });
});
