import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { synthBroker } from '../helpers/synth';

const packs = () => [new AwsSolutionsChecks(), new ServerlessChecks()];
const findings = (scope: Parameters<AwsSolutionsChecks['validateScope']>[0]) =>
  packs().flatMap((pack) =>
    pack.validateScope(scope).violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`),
  );

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AwsSolutions and Serverless packs', () => {
    const { app } = synthBroker();
    expect(findings(app)).toEqual([]);
  });

  it('has a reason on every acknowledgement', () => {
    const { app } = synthBroker();
    const acks = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const reason of acks) expect(String(reason).length).toBeGreaterThan(30);
  });

  it('reports a finding that only its own acknowledgement removes (negative control)', () => {
    const app = new App();
    const bucket = new Bucket(new Stack(app, 'Control'), 'Unlogged', { enforceSSL: true });
    const s1 = (f: string[]) => f.filter((x) => x.startsWith('AwsSolutions-S1 '));
    expect(s1(findings(app))).toEqual(['AwsSolutions-S1 Control/Unlogged/Resource']);
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S10', reason: 'a different rule must not hide S1' });
    expect(s1(findings(app))).toHaveLength(1);
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'negative control: this acknowledgement removes it' });
    expect(s1(findings(app))).toEqual([]);
  });
});
