import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { ConfigError } from '../../lib/config';
import { parseGuardrailsConfig } from '../../lib/guardrails-config';
import { guardrailsPolicy, SCP_MAX_CHARS } from '../../lib/guardrails-policy';
import { GuardrailsStack } from '../../lib/guardrails-stack';

const parse = (context: Record<string, unknown>) => parseGuardrailsConfig((key) => context[key]);
const BASE = { guardrails: 'true', brokerAccountId: '111122223333', guardrailsTargetIds: 'ou-ab12-cd34ef56,222233334444' };

describe('guardrails configuration', () => {
  it('is off unless guardrails is true', () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ guardrails: 'false', brokerAccountId: 'x' })).toBeUndefined();
  });

  it('defaults the deployer to the CDK bootstrap execution role of the broker account, honouring a custom qualifier', () => {
    expect(parse(BASE)).toMatchObject({ targetIds: ['ou-ab12-cd34ef56', '222233334444'], deployRoleArnPattern: 'arn:*:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-*' });
    expect(parse({ ...BASE, '@aws-cdk/core:bootstrapQualifier': 'custom1' })!.deployRoleArnPattern).toContain('cdk-custom1-cfn-exec-role');
  });

  it.each([
    ['no broker account', { brokerAccountId: undefined }, /brokerAccountId must be the 12-digit id/],
    ['no targets', { guardrailsTargetIds: '' }, /guardrailsTargetIds is empty/],
    ['a target that is no account, OU or root', { guardrailsTargetIds: 'ou-ab12-cd34ef56,my-team' }, /"my-team" is not an account id/],
    ['a break-glass role that is not a role ARN', { breakGlassRoleArn: 'arn:aws:iam::111122223333:user/admin' }, /breakGlassRoleArn must be an IAM role ARN/],
  ])('refuses %s, saying what to change', (_what, change, says) => {
    expect(() => parse({ ...BASE, ...change })).toThrow(ConfigError);
    expect(() => parse({ ...BASE, ...change })).toThrow(says);
  });
});

describe('the service control policy', () => {
  it(`stays under the ${SCP_MAX_CHARS}-character SCP limit with the longest inputs the configuration allows`, () => {
    const policy = guardrailsPolicy({
      brokerAccountId: '111122223333',
      secretPrefix: `${'p'.repeat(199)}/`,
      deployRoleArnPattern: `arn:aws:iam::111122223333:role/${'d'.repeat(64)}`,
      breakGlassRoleArn: `arn:aws:iam::111122223333:role/${'b'.repeat(64)}`,
    });
    expect(JSON.stringify(policy).length).toBeLessThan(SCP_MAX_CHARS);
    expect(JSON.stringify(policy, null, 2).length).toBeLessThan(SCP_MAX_CHARS);
  });

  it('guards only the broker account: every statement names it', () => {
    for (const statement of guardrailsPolicy(parse(BASE)!).Statement) expect(JSON.stringify(statement)).toContain('111122223333');
  });
});

describe('the guardrails stack', () => {
  const app = new App();
  const config = parse({ ...BASE, breakGlassRoleArn: 'arn:aws:iam::111122223333:role/BreakGlass' })!;
  const stack = new GuardrailsStack(app, 'Guardrails', { config, env: { account: '999988887777', region: 'us-east-1' } });
  const template = Template.fromStack(stack);

  it('is one SCP with the policy of lib/guardrails-policy.ts, attached to the configured targets', () => {
    template.resourceCountIs('AWS::Organizations::Policy', 1);
    template.hasResourceProperties('AWS::Organizations::Policy', {
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: ['ou-ab12-cd34ef56', '222233334444'],
      Content: guardrailsPolicy(config),
    });
  });

  it('is clean under cdk-nag', () => {
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((p) => p.validateScope(app).violations);
    expect(violations).toEqual([]);
  });
});

describe('npm run guardrails:print', () => {
  const print = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [require.resolve('tsx/cli'), 'scripts/guardrails-print.ts', ...args], { cwd: path.join(__dirname, '..', '..') }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
      ),
    );

  it('prints the same SCP JSON the stack deploys, and its size', async () => {
    const run = await print(['-c', 'brokerAccountId=111122223333', '-c', 'breakGlassRoleArn=arn:aws:iam::111122223333:role/BreakGlass']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(guardrailsPolicy({ ...parse(BASE)!, breakGlassRoleArn: 'arn:aws:iam::111122223333:role/BreakGlass' }));
    expect(run.stderr).toMatch(/characters of the 5120/);
  });

  it('says what is missing, exit 2', async () => {
    const run = await print([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/brokerAccountId must be/);
  });
});
