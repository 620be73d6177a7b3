import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GlobalEventsStack } from '../../lib/guardrails-global-events-stack';
import { synthBroker, TEST_ENV } from '../helpers/synth';
import fixedNameIds from './fixed-name-ids.json';

/**
 * Logical ids are the identity CloudFormation keeps a resource by: a changed id is a new resource
 * and a deleted old one, created before the old one goes. For a resource with a fixed physical
 * name (a role, bucket, alias, rule, topic, alarm, trail or stage name) the new one collides with
 * the old one and the upgrade fails, so those ids are pinned here for good. The pinned list is
 * `fixed-name-ids.json`; every id is recorded in the snapshot (`__snapshots__/`), so a refactoring shows what it renames.
 */
interface Resources {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** `*Name` properties that label a resource without naming it uniquely (or that CDK derives from the id). */
const NOT_A_PHYSICAL_NAME = new Set(['DisplayName', 'MetricName', 'PolicyName']);

/** A value naming another resource of the template (a reference, not a name of its own). */
function refersToResource(value: unknown, ids: Set<string>): boolean {
  const text = JSON.stringify(value);
  return [...text.matchAll(/"(?:Ref|Fn::GetAtt)":\[?"([A-Za-z0-9]+)/g)].some((m) => ids.has(m[1]));
}

/** Every resource with a fixed physical name: `logicalId → "Type Property=value"`, discovered from the template. */
function fixedNames(template: Resources): Record<string, string> {
  const ids = new Set(Object.keys(template.Resources));
  const fixed: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const [key, value] of Object.entries(resource.Properties ?? {})) {
      if (!/Name$/.test(key) || NOT_A_PHYSICAL_NAME.has(key) || refersToResource(value, ids)) continue;
      fixed[id] = `${resource.Type} ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    }
  }
  return fixed;
}

const broker = synthBroker().template.toJSON() as Resources;
/** Every optional resource on: the trails, alert e-mails, break-glass detection. */
const everything = synthBroker({
  managementTrail: true,
  manifestReadTrail: true,
  alertEmails: ['security@example.com'],
  breakGlassRoleArn: `arn:aws:iam::${TEST_ENV.account}:role/BreakGlass`,
}).template.toJSON() as Resources;
const companion = Template.fromStack(
  new GlobalEventsStack(new App(), 'SnowballCredentialBrokerGlobalEvents', {
    brokerRegion: TEST_ENV.region,
    env: { account: TEST_ENV.account, region: 'us-east-1' },
  }),
).toJSON() as Resources;

/**
 * The pinned ids, with every option on (a default deployment has a subset of them). Edited by hand
 * only to add a new fixed-name resource; never change an entry: a fixed-name resource that moves
 * keeps its id (`overrideLogicalId`, with a comment why).
 */
const PINNED: Record<string, string> = fixedNameIds['broker, every option on'];

describe('logical ids of resources with a fixed physical name', () => {
  it('are pinned: a replacement on upgrade would collide with the resource it replaces', () => {
    expect(fixedNames(everything)).toEqual(PINNED);
  });

  it('a default deployment names no resource the pinned list does not', () => {
    expect(PINNED).toMatchObject(fixedNames(broker));
    expect(Object.keys(fixedNames(broker)).length).toBeGreaterThan(40);
  });

  it('the us-east-1 companion names nothing', () => {
    expect(fixedNames(companion)).toEqual({});
  });

  it('finds what it pins (negative control: a resource given a name is found, one without is not)', () => {
    const found = fixedNames({
      Resources: {
        Named: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
        Generated: { Type: 'AWS::SQS::Queue', Properties: {} },
        Filter: { Type: 'AWS::Logs::MetricFilter', Properties: { LogGroupName: { Ref: 'Named' } } },
      },
    });
    expect(found).toEqual({ Named: 'AWS::SQS::Queue QueueName=q' });
  });
});

describe('every logical id', () => {
  it('is recorded, so a change shows what it renames (ids of resources without a fixed name may change)', () => {
    const ids = (t: Resources) =>
      Object.entries(t.Resources)
        .map(([id, r]) => `${id} ${r.Type}`)
        .sort();
    expect(ids(everything)).toMatchSnapshot('broker, every option on');
    expect(ids(companion)).toMatchSnapshot('us-east-1 companion');
  });
});
