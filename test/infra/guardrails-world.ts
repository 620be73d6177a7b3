import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BrokerStack } from '../../lib/broker-stack';
import { parseConfig } from '../../lib/config';
import { STABLE_NAMES } from '../../contract/deployment';
import { parseGuardrailsConfig } from '../../lib/guardrails-config';
import { GuardrailsStack } from '../../lib/guardrails-stack';
import { cdkJsonContext } from '../../tools/bundles';
import { TEST_ENV } from '../helpers/synth';
import { TemplateResolver } from '../helpers/template-resolver';

/**
 * The world the threat model is evaluated in: the broker stack synthesized under its real name,
 * its resources named as CloudFormation names them when deployed (stack name, logical id, random
 * suffix), and the guardrails stack's synthesized SCPs in both modes, evaluated with iam-simulate.
 */
export const { account, region } = TEST_ENV;
export const arn = (kind: string, rest: string) => `arn:aws:${kind}:${region}:${account}:${rest}`;
export const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
export const PEOPLE = {
  administrator: role('PlatformAdmin'),
  deployer: role('BrokerPipeline'),
  fieldTeam: role('FieldTeam'),
  securityDesk: role('SecurityDesk'),
  breakGlass: role('BreakGlass'),
  jobCreator: role('Logistics'),
  cfnExec: role(`cdk-hnb659fds-cfn-exec-role-${account}-${region}`),
  deployRole: role(`cdk-hnb659fds-deploy-role-${account}-${region}`),
  filePublishing: role(`cdk-hnb659fds-file-publishing-role-${account}-${region}`),
};
const CONTEXT = {
  ...cdkJsonContext(),
  'aws:cdk:bundling-stacks': [],
  manifestOperatorPrincipals: [PEOPLE.fieldTeam],
  unlockCodeOperatorPrincipals: [PEOPLE.securityDesk],
  breakGlassRoleArn: PEOPLE.breakGlass,
  guardrails: 'true',
  brokerAccountId: account,
  brokerRegions: [region],
  guardrailsTargetIds: [account],
  deployerPrincipalArns: [PEOPLE.deployer],
  jobCreatorPrincipalArns: [PEOPLE.jobCreator],
  snowballJobRoleArns: [role('SnowballJobRole')],
};

/** Names generated resources as CloudFormation does: `STACK-LogicalId-SUFFIX` (buckets in lower case). */
class DeployedNames extends TemplateResolver {
  constructor(private readonly resources: Record<string, { Type: string; Properties: any }>) {
    super({ Resources: resources }, TEST_ENV);
  }

  override attribute(id: string, attr: string): string {
    const type = this.resources[id]?.Type;
    const generated = `${STABLE_NAMES.stack}-${id.slice(0, 24)}-A1B2C3D4E5F6`;
    const named: Record<string, string> = {
      'AWS::Lambda::Function': arn('lambda', `function:${generated}`),
      'AWS::Logs::LogGroup': arn('logs', `log-group:${generated}:*`),
      'AWS::SQS::Queue': arn('sqs', generated),
      'AWS::SNS::Topic': arn('sns', generated),
      'AWS::Events::Rule': arn('events', `rule/${generated}`),
      'AWS::CloudWatch::Alarm': arn('cloudwatch', `alarm:${generated}`),
    };
    if (type === 'AWS::S3::Bucket') {
      const named = this.resources[id].Properties?.BucketName;
      const bucket = named ? (this.resolve(named) as string) : generated.toLowerCase();
      return attr === 'Arn' ? `arn:aws:s3:::${bucket}` : bucket;
    }
    if (type === 'AWS::IAM::Role' && !this.resources[id].Properties?.RoleName) return attr === 'Arn' ? role(generated) : generated;
    if (type && named[type] && (attr === 'Arn' || type === 'AWS::SNS::Topic')) return named[type];
    if (type === 'AWS::Lambda::Function' && attr === 'Ref') return generated;
    try {
      return super.attribute(id, attr);
    } catch {
      return generated; // names and URLs no policy here depends on (QueueName, TopicName, …)
    }
  }
}

const app = new App({ context: CONTEXT });
const config = parseConfig((key) => app.node.tryGetContext(key));
const broker = new BrokerStack(app, STABLE_NAMES.stack, { config, env: TEST_ENV });
export const template = Template.fromStack(broker).toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
export const names = new DeployedNames(template.Resources);
export const guardrailsConfig = parseGuardrailsConfig((key) => app.node.tryGetContext(key))!;

/** The SCP documents the guardrails stack synthesizes for a mode. */
export function synthesizedScps(mode: 'shared' | 'sealed'): unknown[] {
  const stack = new GuardrailsStack(new App(), `Guardrails-${mode}`, {
    config: { ...guardrailsConfig, mode },
    env: { account: '999988887777', region: 'us-east-1' },
  });
  return Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy')).map((r: any) => r.Properties.Content);
}

/** A resource of the broker template by type and logical id prefix, with its deployed ARN and resolved properties. */
export function resource(type: string, prefix: string) {
  const id = names.logicalId(type, prefix);
  const props = names.resolve(template.Resources[id].Properties);
  if (type === 'AWS::S3::BucketPolicy') return { id, arn: '', props };
  return { id, arn: names.attribute(id, type === 'AWS::SNS::Topic' ? 'Ref' : 'Arn'), props };
}

/** Identity policies the template attaches to one of its roles. */
export function identityPoliciesOf(roleId: string) {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
    .map(([id]) => ({ name: id, policy: names.resolve(template.Resources[id].Properties).PolicyDocument }));
}

export const ADMINISTRATOR_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const FULL_AWS_ACCESS = ADMINISTRATOR_ACCESS;

export interface Call {
  readonly action: string;
  readonly resource: string;
  /** The context keys AWS fills for this call beside the principal's (tags, passed service, …). */
  readonly context?: Record<string, string | string[]>;
  /** The receiver's policy: a trust, key, bucket or secret policy. */
  readonly resourcePolicy?: unknown;
}

/** How AWS decides `who` making `call` with these identity policies, under these SCPs (none: no guardrails). */
export async function decide(
  who: string,
  call: Call,
  scps: unknown[] | undefined,
  identity: { name: string; policy: unknown }[] = [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }],
) {
  const result = await runSimulation(
    {
      request: {
        principal: `${who.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/session`,
        action: call.action,
        resource: { resource: call.resource, accountId: account },
        contextVariables: {
          'aws:PrincipalArn': who,
          'aws:PrincipalAccount': account,
          'aws:SecureTransport': 'true',
          'aws:RequestedRegion': region,
          'aws:ResourceAccount': account,
          ...(call.action.startsWith('kms:') ? { 'kms:CallerAccount': account } : {}),
          ...(call.action.startsWith('s3:') ? { 's3:TlsVersion': '1.3' } : {}),
          ...call.context,
        },
      },
      identityPolicies: identity as any,
      serviceControlPolicies: scps
        ? [
            {
              orgIdentifier: 'r-root',
              policies: [
                { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS },
                ...scps.map((policy, i) => ({ name: `guardrails-${i + 1}`, policy })),
              ] as any,
            },
          ]
        : [],
      resourceControlPolicies: [],
      resourcePolicy: call.resourcePolicy as any,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}
