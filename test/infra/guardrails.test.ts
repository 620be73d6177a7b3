import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { ConfigError } from '../../lib/config';
import { parseGuardrailsConfig } from '../../lib/guardrails-config';
import { GuardrailsTooLargeError, SCP_MAX_CHARS, sharedScps } from '../../policies/guardrails-policy';
import { guardrailsScps } from '../../lib/guardrails-scps';
import { sealedScps } from '../../lib/guardrails-sealed';
import { GuardrailsStack } from '../../lib/guardrails-stack';

const parse = (context: Record<string, unknown>) => parseGuardrailsConfig((key) => context[key]);
const DEPLOYER = 'arn:aws:iam::111122223333:role/BrokerPipeline';
const BASE = {
  guardrails: 'true',
  brokerAccountId: '111122223333',
  guardrailsTargetIds: 'ou-ab12-cd34ef56,222233334444',
  deployerPrincipalArns: DEPLOYER,
};
const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;

describe('guardrails configuration', () => {
  it('is off unless guardrails is true', () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ guardrails: 'false', brokerAccountId: 'x' })).toBeUndefined();
  });

  it('defaults to shared mode in us-east-1, and reads the operator principals the broker stack reads', () => {
    const config = parse({ ...BASE, manifestOperatorPrincipals: [role('FieldTeam')] })!;
    expect(config).toMatchObject({
      mode: 'shared',
      brokerRegions: ['us-east-1'],
      targetIds: ['ou-ab12-cd34ef56', '222233334444'],
      deployerPrincipalArns: [DEPLOYER],
    });
    expect(config.operatorPrincipalArns).toEqual({ manifest: [role('FieldTeam')], unlockCode: [] });
  });

  it('honours a custom bootstrap qualifier in the exempt role names', () => {
    const scps = sharedScps(parse({ ...BASE, '@aws-cdk/core:bootstrapQualifier': 'custom1' })!);
    expect(JSON.stringify(scps)).toContain('role/cdk-custom1-cfn-exec-role-111122223333-us-east-1');
    expect(JSON.stringify(scps)).not.toContain('hnb659fds');
  });

  it.each([
    ['no broker account', { brokerAccountId: undefined }, /brokerAccountId must be the 12-digit id/],
    ['no targets', { guardrailsTargetIds: '' }, /guardrailsTargetIds is empty/],
    ['a target that is no account, OU or root', { guardrailsTargetIds: 'ou-ab12-cd34ef56,my-team' }, /"my-team" is not an account id/],
    [
      'a break-glass role that is not a role ARN',
      { breakGlassRoleArn: 'arn:aws:iam::111122223333:user/admin' },
      /breakGlassRoleArn must be an IAM role ARN/,
    ],
    ['no deployers', { deployerPrincipalArns: undefined }, /deployerPrincipalArns is empty: name who may assume the CDK bootstrap roles/],
    [
      'a deployer that is no principal ARN',
      { deployerPrincipalArns: 'pipeline' },
      /deployerPrincipalArns\[0\] "pipeline" is not an IAM principal ARN/,
    ],
    ['an unknown mode', { guardrailsMode: 'strict' }, /guardrailsMode must be "shared" .* or "sealed"/],
    ['a region that is none', { brokerRegions: 'eu-west-1,europe' }, /"europe" is not a region/],
    [
      'a job creator that is no principal ARN',
      { jobCreatorPrincipalArns: '*' },
      /jobCreatorPrincipalArns\[0\] "\*" is not an IAM principal ARN/,
    ],
  ])('refuses %s, saying what to change', (_what, change, says) => {
    expect(() => parse({ ...BASE, ...change })).toThrow(ConfigError);
    expect(() => parse({ ...BASE, ...change })).toThrow(says);
  });
});

describe('the service control policies', () => {
  const longest = (n: number, c: string) => role(c.repeat(n));
  const big = {
    ...parse(BASE)!,
    secretPrefix: `${'p'.repeat(199)}/`,
    deployerPrincipalArns: [longest(64, 'd'), longest(64, 'e')],
    operatorPrincipalArns: { manifest: [longest(64, 'm')], unlockCode: [longest(64, 'u')] },
    breakGlassRoleArn: longest(64, 'b'),
    breakGlassPrincipalArns: [longest(64, 'g')],
    jobCreatorPrincipalArns: [longest(64, 'j')],
    brokerRegions: ['us-east-1', 'eu-central-1', 'ap-southeast-2'],
  };

  it.each([
    ['shared', 3],
    ['sealed', 2],
  ] as const)(
    `%s: each SCP stays within the ${SCP_MAX_CHARS}-character limit with the longest role names in %i regions, and a target takes them all`,
    (mode, regions) => {
      const scps = guardrailsScps({ ...big, brokerRegions: big.brokerRegions.slice(0, regions), mode });
      expect(scps.length).toBeLessThanOrEqual(mode === 'sealed' ? 1 : 4);
      for (const scp of scps) expect(JSON.stringify(scp.content).length).toBeLessThanOrEqual(SCP_MAX_CHARS);
    },
  );

  it('stops synth with a message naming the policy and its size when configured values make one too long', () => {
    const many = {
      ...big,
      deployerPrincipalArns: Array.from({ length: 40 }, (_, i) => longest(60, String.fromCharCode(97 + (i % 26))) + i),
    };
    expect(() => sealedScps(many)).toThrow(GuardrailsTooLargeError);
    expect(() => sealedScps(many)).toThrow(
      /the sealed guardrail SCP snowball-credential-broker-111122223333-sealed would be \d+ characters, more than the 5120/,
    );
    expect(() => sharedScps(many)).toThrow(
      /the guardrail SCP snowball-credential-broker-111122223333-shared-\d would be \d+ characters with its statement \w+ alone|the guardrails need \d+ SCPs \(snowball-credential-broker-111122223333-shared-1: \d+ characters/,
    );
  });

  it('exempts the CDK bootstrap roles by exact name in each broker region, never by a pattern', () => {
    const text = JSON.stringify(sharedScps({ ...big, brokerRegions: ['eu-west-1', 'us-east-1'] }));
    for (const region of ['eu-west-1', 'us-east-1'])
      expect(text).toContain(`"arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-${region}"`);
    for (const scp of sharedScps(big)) {
      for (const s of scp.content.Statement as { Condition?: { ArnNotLike?: { 'aws:PrincipalArn': string[] } } }[]) {
        for (const exempt of s.Condition?.ArnNotLike?.['aws:PrincipalArn'] ?? []) expect(exempt).not.toContain('*');
      }
    }
  });

  it('guards only the broker account: every statement names it or its tag', () => {
    for (const scp of sharedScps(parse(BASE)!)) {
      for (const statement of scp.content.Statement) expect(JSON.stringify(statement)).toMatch(/111122223333|snowball-credential-broker/);
    }
  });
});

describe('the guardrails stack', () => {
  const app = new App();
  const config = parse({ ...BASE, breakGlassRoleArn: role('BreakGlass') })!;
  const stack = new GuardrailsStack(app, 'Guardrails', { config, env: { account: '999988887777', region: 'us-east-1' } });
  const template = Template.fromStack(stack);

  it('is one SCP per packed policy of policies/guardrails-policy.ts, each attached to the configured targets', () => {
    const scps = sharedScps(config);
    template.resourceCountIs('AWS::Organizations::Policy', scps.length);
    for (const scp of scps) {
      template.hasResourceProperties('AWS::Organizations::Policy', {
        Name: scp.name,
        Type: 'SERVICE_CONTROL_POLICY',
        TargetIds: ['ou-ab12-cd34ef56', '222233334444'],
        Content: scp.content,
      });
    }
  });

  it('is one sealed SCP in sealed mode', () => {
    const sealed = Template.fromStack(new GuardrailsStack(new App(), 'Sealed', { config: { ...config, mode: 'sealed' } }));
    sealed.resourceCountIs('AWS::Organizations::Policy', 1);
    sealed.hasResourceProperties('AWS::Organizations::Policy', { Content: sealedScps(config)[0].content });
  });

  it('is clean under cdk-nag', () => {
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((p) => p.validateScope(app).violations);
    expect(violations).toEqual([]);
  });
});

describe('npm run guardrails:print', () => {
  const print = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [require.resolve('tsx/cli'), 'scripts/guardrails-print.ts', ...args],
        { cwd: path.join(__dirname, '..', '..') },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
      ),
    );
  const args = [
    '-c',
    'brokerAccountId=111122223333',
    '-c',
    `deployerPrincipalArns=${DEPLOYER}`,
    '-c',
    `breakGlassRoleArn=${role('BreakGlass')}`,
  ];

  it('prints every SCP the stack deploys as one JSON document, and their sizes on stderr', async () => {
    const run = await print(args);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(sharedScps({ ...parse(BASE)!, breakGlassRoleArn: role('BreakGlass') }));
    expect(run.stderr).toMatch(/shared-1: \d+ characters \(minified\) of the 5120/);
  });

  it('prints the sealed SCP with guardrailsMode=sealed', async () => {
    const run = await print([...args, '-c', 'guardrailsMode=sealed']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(sealedScps({ ...parse(BASE)!, breakGlassRoleArn: role('BreakGlass') }));
  });

  it('says what is missing, exit 2', async () => {
    const run = await print(['-c', `deployerPrincipalArns=${DEPLOYER}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/brokerAccountId must be/);
    expect((await print(['-c', 'brokerAccountId=111122223333'])).stderr).toMatch(/deployerPrincipalArns is empty/);
  });
});
