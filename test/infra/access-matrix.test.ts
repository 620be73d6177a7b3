import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ENV } from '../../contract/deployment';
import { manifestObjectKey } from '../../contract/vault-layout';
import { functionLogicalIdPrefix, VAULTS, type OperatorKind } from '../../contract/vaults';
import { unlockCodeSecretPolicy } from '../../lambda/unlock-code/secret-policy';
import { sharedStatements } from '../../policies/guardrails-policy';
import { synthBroker, TEST_ENV } from '../helpers/synth';
import { TemplateResolver } from '../helpers/template-resolver';

/**
 * The access matrix of docs/security.md, evaluated as IAM policy over the synthesized template: identity
 * policies, the bucket policy, both key policies, the secrets' resource policy and the API's
 * resource policy, with the context keys AWS would send.
 */
const KEY_ADMIN = 'arn:aws:iam::123456789012:role/KeyAdministrators';
const BREAK_GLASS = 'arn:aws:iam::123456789012:role/BreakGlass';
const { template } = synthBroker({ keyAdminPrincipals: [KEY_ADMIN], breakGlassRoleArn: BREAK_GLASS });
const raw = template.toJSON();
const resolver = new TemplateResolver(raw as { Resources: Record<string, any> }, TEST_ENV);
const { account, region } = TEST_ENV;
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';

const idOf = (type: string, prefix: string) => resolver.logicalId(type, prefix);
const resolved = (id: string) => resolver.resolve(raw.Resources[id].Properties);
const ROLE_IDS = {
  manifestOperator: idOf('AWS::IAM::Role', 'OperatorsManifestOperator'),
  unlockCodeOperator: idOf('AWS::IAM::Role', 'OperatorsUnlockCodeOperator'),
  manifestFunction: idOf('AWS::IAM::Role', 'ManifestFunctionRole'),
  unlockCodeFunction: idOf('AWS::IAM::Role', 'UnlockCodeFunctionRole'),
};
const ROLES = {
  ...(Object.fromEntries(Object.entries(ROLE_IDS).map(([who, id]) => [who, resolver.attribute(id, 'Arn')])) as Record<
    keyof typeof ROLE_IDS,
    string
  >),
  broadAdmin: `arn:aws:iam::${account}:role/PlatformAdmin`,
  keyAdmin: KEY_ADMIN,
  breakGlass: BREAK_GLASS,
  deployer: `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`,
};
type Who = keyof typeof ROLES;
/** Principals outside the stack, with the broad identity policies an administrator has. */
const BROAD: Who[] = ['broadAdmin', 'keyAdmin', 'breakGlass', 'deployer'];

const BROAD_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'secretsmanager:*', 'kms:*', 'execute-api:*', 'snowball:*'], Resource: '*' }],
};

function identityPolicies(who: Who): Simulation['identityPolicies'] {
  if (BROAD.includes(who)) return [{ name: 'broad', policy: BROAD_POLICY }];
  const roleId = ROLE_IDS[who as keyof typeof ROLE_IDS];
  return Object.entries(raw.Resources as Record<string, any>)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
    .map(([id]) => ({ name: id, policy: resolved(id).PolicyDocument }));
}

const bucketId = idOf('AWS::S3::Bucket', 'ManifestVaultBucket');
const bucketName = resolver.attribute(bucketId, 'Ref');
const bucketPolicy = resolved(
  Object.keys(raw.Resources).find(
    (id) => raw.Resources[id].Type === 'AWS::S3::BucketPolicy' && raw.Resources[id].Properties.Bucket.Ref === bucketId,
  )!,
).PolicyDocument;
const manifestKeyId = idOf('AWS::KMS::Key', 'ManifestVaultKey');
const unlockKeyId = idOf('AWS::KMS::Key', 'UnlockCodeVaultKey');
const apiId = idOf('AWS::ApiGateway::RestApi', 'BrokerApi');
const apiRef = resolver.attribute(apiId, 'Ref');
const apiPolicy = JSON.parse(
  JSON.stringify(resolved(apiId).Policy).replace(/execute-api:\//g, `arn:aws:execute-api:${region}:${account}:${apiRef}/`),
);
// The secrets are created at run time; their policy comes from the same code, fed the principals
// the stack hands the unlock-code function.
const unlockEnv = resolved(idOf('AWS::Lambda::Function', functionLogicalIdPrefix('unlockCode', 'api'))).Environment.Variables;
const secretPolicy = unlockCodeSecretPolicy({
  readerRoleArn: unlockEnv[ENV.unlockCodeReaderRoleArn],
  brokerRoleArn: unlockEnv[ENV.unlockCodeBrokerRoleArn],
  restorerArns: String(unlockEnv[ENV.unlockCodeRestorerArns] ?? '')
    .split(',')
    .filter(Boolean),
});

const TARGETS = {
  manifestObject: { arn: `arn:aws:s3:::${bucketName}/${manifestObjectKey(JOB)}`, policy: bucketPolicy },
  manifestKey: { arn: resolver.attribute(manifestKeyId, 'Arn'), policy: resolved(manifestKeyId).KeyPolicy },
  unlockCodeSecret: { arn: `arn:aws:secretsmanager:${region}:${account}:secret:snowball/unlock-code/${JOB}-AbCdEf`, policy: secretPolicy },
  unlockCodeKey: { arn: resolver.attribute(unlockKeyId, 'Arn'), policy: resolved(unlockKeyId).KeyPolicy },
  unrelatedObject: { arn: 'arn:aws:s3:::some-other-bucket/report.csv', policy: undefined },
};
type Target = keyof typeof TARGETS;

async function decide(
  who: Who,
  action: string,
  target: Target | { arn: string; policy: unknown },
  extra: Record<string, string | string[]> = {},
  scp?: unknown,
) {
  const { arn, policy } = typeof target === 'string' ? TARGETS[target] : target;
  const result = await runSimulation(
    {
      request: {
        principal: ROLES[who].replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/session',
        action,
        resource: { resource: arn, accountId: account },
        contextVariables: {
          'aws:PrincipalArn': ROLES[who],
          'aws:PrincipalAccount': account,
          'aws:SecureTransport': 'true',
          ...(action.startsWith('kms:') ? { 'kms:CallerAccount': account } : {}),
          ...(action.startsWith('s3:') ? { 's3:TlsVersion': '1.3' } : {}),
          ...extra,
        },
      },
      identityPolicies: identityPolicies(who),
      serviceControlPolicies: scp
        ? [
            {
              orgIdentifier: 'r-root',
              policies: [
                { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS },
                { name: 'guardrails', policy: scp },
              ],
            },
          ]
        : [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const via = (service: string) => ({ 'kms:ViaService': `${service}.${region}.amazonaws.com` });
const invoke = (who: Who, kind: OperatorKind, method: 'GET' | 'POST') =>
  decide(who, 'execute-api:Invoke', {
    arn: `arn:aws:execute-api:${region}:${account}:${apiRef}/v1/${method}/jobs/${JOB}/${VAULTS[kind].segment}`,
    policy: apiPolicy,
  });

/** One row of the access matrix (docs/security.md): API manifest, GetObject, manifest key, API unlock code, GetSecretValue, unlock key. */
async function row(who: Who) {
  const api = async (kind: OperatorKind) => {
    const [get, post] = [await invoke(who, kind, 'GET'), await invoke(who, kind, 'POST')];
    return get === post ? get : `${get}/${post}`;
  };
  return {
    apiManifest: await api('manifest'),
    getManifestObject: await decide(who, 's3:GetObject', 'manifestObject'),
    decryptManifestKey: await decide(who, 'kms:Decrypt', 'manifestKey', via('s3')),
    apiUnlockCode: await api('unlockCode'),
    getUnlockCodeSecret: await decide(who, 'secretsmanager:GetSecretValue', 'unlockCodeSecret'),
    decryptUnlockCodeKey: await decide(who, 'kms:Decrypt', 'unlockCodeKey', via('secretsmanager')),
  };
}

const ALLOWED = 'Allowed';
const DENIED = expect.stringMatching(/Denied$/);
const EXPLICIT = 'ExplicitlyDenied';

describe('access matrix (docs/security.md), evaluated as policy', () => {
  it('ManifestOperator: brokers and reads manifests, decrypts via S3; nothing of the unlock-code vault', async () => {
    expect(await row('manifestOperator')).toEqual({
      apiManifest: ALLOWED,
      getManifestObject: ALLOWED,
      decryptManifestKey: ALLOWED,
      apiUnlockCode: EXPLICIT,
      getUnlockCodeSecret: EXPLICIT,
      decryptUnlockCodeKey: EXPLICIT,
    });
  });

  it('UnlockCodeOperator: brokers and reads unlock codes, decrypts via Secrets Manager; nothing of the manifest vault', async () => {
    expect(await row('unlockCodeOperator')).toEqual({
      apiManifest: EXPLICIT,
      getManifestObject: EXPLICIT,
      decryptManifestKey: EXPLICIT,
      apiUnlockCode: ALLOWED,
      getUnlockCodeSecret: ALLOWED,
      decryptUnlockCodeKey: ALLOWED,
    });
  });

  it('manifest function: writes its own vault and encrypts with its key; no s3:GetObject (nor HeadObject), no Decrypt', async () => {
    const r = await row('manifestFunction');
    expect([r.getManifestObject, r.decryptManifestKey, r.getUnlockCodeSecret, r.decryptUnlockCodeKey]).toEqual([
      DENIED,
      DENIED,
      EXPLICIT,
      EXPLICIT,
    ]);
    expect(await decide('manifestFunction', 's3:GetObjectVersionTagging', 'manifestObject')).toBe(ALLOWED);
    expect(await decide('manifestFunction', 's3:PutObject', 'manifestObject')).toBe(ALLOWED);
    expect(await decide('manifestFunction', 'kms:GenerateDataKey', 'manifestKey', via('s3'))).toBe(ALLOWED);
    expect(await decide('manifestFunction', 's3:GetObjectVersion', 'manifestObject')).toBe(EXPLICIT);
  });

  it('unlock-code function: writes its own vault and encrypts with its key, never reads a value or decrypts one', async () => {
    const r = await row('unlockCodeFunction');
    expect([r.getManifestObject, r.decryptManifestKey, r.getUnlockCodeSecret, r.decryptUnlockCodeKey]).toEqual([
      EXPLICIT,
      EXPLICIT,
      EXPLICIT,
      DENIED,
    ]);
    expect(await decide('unlockCodeFunction', 'secretsmanager:PutSecretValue', 'unlockCodeSecret')).toBe(ALLOWED);
    expect(await decide('unlockCodeFunction', 'secretsmanager:ListSecretVersionIds', 'unlockCodeSecret')).toBe(ALLOWED);
    expect(await decide('unlockCodeFunction', 'kms:GenerateDataKey', 'unlockCodeKey', via('secretsmanager'))).toBe(ALLOWED);
  });

  it('a manifest is written only under the vault key: a write naming SSE-S3 or another key is denied (anyone with s3:GetObject could read it)', async () => {
    expect(await decide('manifestFunction', 's3:PutObject', 'manifestObject', { 's3:x-amz-server-side-encryption': 'AES256' })).toBe(
      EXPLICIT,
    );
    expect(
      await decide('manifestFunction', 's3:PutObject', 'manifestObject', {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:123456789012:key/other',
      }),
    ).toBe(EXPLICIT);
    expect(
      await decide('manifestFunction', 's3:PutObject', 'manifestObject', {
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': TARGETS.manifestKey.arn,
      }),
    ).toBe(ALLOWED);
    expect(await decide('manifestFunction', 's3:PutObject', 'manifestObject')).toBe(ALLOWED);
  });

  it('retired manifests (behind a delete marker) are readable by no operator: GetObjectVersion is denied to everyone', async () => {
    for (const who of ['manifestOperator', 'manifestFunction', 'broadAdmin', 'deployer'] as Who[]) {
      expect(await decide(who, 's3:GetObjectVersion', 'manifestObject')).toBe(EXPLICIT);
    }
  });

  it('a retired unlock code stays retired: only the unlock-code function, the deployer and break-glass restore or rotate a secret (the secret policy)', async () => {
    for (const who of ['broadAdmin', 'keyAdmin', 'unlockCodeOperator', 'manifestFunction'] as Who[]) {
      for (const action of ['RestoreSecret', 'RotateSecret', 'CancelRotateSecret']) {
        expect([who, action, await decide(who, `secretsmanager:${action}`, 'unlockCodeSecret')]).toEqual([who, action, EXPLICIT]);
      }
    }
    // Not locked out: the deployer and break-glass may still restore one.
    expect(await decide('deployer', 'secretsmanager:RestoreSecret', 'unlockCodeSecret')).toBe(ALLOWED);
    expect(await decide('breakGlass', 'secretsmanager:RestoreSecret', 'unlockCodeSecret')).toBe(ALLOWED);
    // The lifecycle restores a secret it scheduled for deletion when its job is WithCustomer again.
    expect(await decide('unlockCodeFunction', 'secretsmanager:RestoreSecret', 'unlockCodeSecret')).toBe(ALLOWED);
  });

  it('a retired manifest stays retired: nobody but the function, the deployer and break-glass removes a version (its delete marker) or tags one', async () => {
    for (const who of ['broadAdmin', 'keyAdmin', 'manifestOperator', 'unlockCodeFunction'] as Who[]) {
      for (const action of ['s3:DeleteObjectVersion', 's3:PutObjectTagging', 's3:PutObjectVersionTagging']) {
        expect([who, action, await decide(who, action, 'manifestObject')]).toEqual([who, action, EXPLICIT]);
      }
    }
    expect(await decide('deployer', 's3:DeleteObjectVersion', 'manifestObject')).toBe(ALLOWED);
    expect(await decide('breakGlass', 's3:DeleteObjectVersion', 'manifestObject')).toBe(ALLOWED);
    expect(await decide('manifestFunction', 's3:PutObjectTagging', 'manifestObject')).toBe(ALLOWED);
  });

  it('only the unlock-code function writes a value, only the unlock-code operator reads one (the secret policy)', async () => {
    expect(await decide('unlockCodeOperator', 'secretsmanager:PutSecretValue', 'unlockCodeSecret')).toBe(EXPLICIT);
    expect(await decide('unlockCodeOperator', 'secretsmanager:UpdateSecretVersionStage', 'unlockCodeSecret')).toBe(EXPLICIT);
    expect(await decide('unlockCodeFunction', 'secretsmanager:GetSecretValue', 'unlockCodeSecret')).toBe(EXPLICIT);
  });

  it('a principal of the account with s3:*, secretsmanager:*, kms:* and execute-api:* reads neither secret: every cell explicitly denied', async () => {
    expect(await row('broadAdmin')).toEqual({
      apiManifest: EXPLICIT,
      getManifestObject: EXPLICIT,
      decryptManifestKey: EXPLICIT,
      apiUnlockCode: EXPLICIT,
      getUnlockCodeSecret: EXPLICIT,
      decryptUnlockCodeKey: EXPLICIT,
    });
    expect(await decide('broadAdmin', 's3:PutObject', 'manifestObject')).toBe(EXPLICIT);
    expect(await decide('broadAdmin', 'secretsmanager:PutSecretValue', 'unlockCodeSecret')).toBe(EXPLICIT);
  });

  it('lets operators use their key only through its service (ViaService), never directly or through the other service', async () => {
    expect(await decide('manifestOperator', 'kms:Decrypt', 'manifestKey')).toBe(EXPLICIT);
    expect(await decide('manifestOperator', 'kms:Decrypt', 'manifestKey', via('secretsmanager'))).toBe(EXPLICIT);
    expect(await decide('unlockCodeOperator', 'kms:Decrypt', 'unlockCodeKey')).toBe(EXPLICIT);
    expect(await decide('unlockCodeOperator', 'kms:Decrypt', 'unlockCodeKey', via('s3'))).toBe(EXPLICIT);
  });

  it('denies the manifest vault over plain HTTP even to its own operator', async () => {
    expect(await decide('manifestOperator', 's3:GetObject', 'manifestObject', { 'aws:SecureTransport': 'false' })).toBe(EXPLICIT);
  });

  describe('positive controls: the evaluation can say yes', () => {
    it('lets the broad principal read an unrelated bucket', async () => {
      expect(await decide('broadAdmin', 's3:GetObject', 'unrelatedObject')).toBe(ALLOWED);
    });

    it('would let the broad principal decrypt with a key whose policy delegated to the account', async () => {
      const delegating = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
      };
      expect(await decide('broadAdmin', 'kms:Decrypt', { arn: TARGETS.unlockCodeKey.arn, policy: delegating }, via('secretsmanager'))).toBe(
        ALLOWED,
      );
    });

    it('would let the broad principal read a secret without the vault resource policy', async () => {
      expect(await decide('broadAdmin', 'secretsmanager:GetSecretValue', { arn: TARGETS.unlockCodeSecret.arn, policy: undefined })).toBe(
        ALLOWED,
      );
      expect(await decide('broadAdmin', 'secretsmanager:RestoreSecret', { arn: TARGETS.unlockCodeSecret.arn, policy: undefined })).toBe(
        ALLOWED,
      );
    });

    it('denies implicitly, not explicitly, where no policy speaks (so EXPLICIT above is earned)', async () => {
      expect(await decide('unlockCodeOperator', 's3:GetObject', 'unrelatedObject')).toEqual(DENIED);
      expect(await decide('unlockCodeOperator', 's3:GetObject', 'unrelatedObject')).not.toBe(EXPLICIT);
    });
  });
});

describe('every Lambda role of the stack × kms:Decrypt × both vault keys: denied', () => {
  /** Every role a Lambda function of the stack runs as (the brokers, their lifecycle triggers, CDK's helpers). */
  const lambdaRoles = [
    ...new Set(
      Object.values(raw.Resources as Record<string, any>)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => r.Properties.Role?.['Fn::GetAtt']?.[0] as string)
        .filter(Boolean),
    ),
  ];
  const policiesOf = (roleId: string) =>
    Object.entries(raw.Resources as Record<string, any>)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
      .map(([id]) => ({ name: id, policy: resolved(id).PolicyDocument }));
  /**
   * iam-simulate drops `kms:EncryptionContext:NAME` context keys (it matches variable keys only
   * after a `/`), so a condition on one would fail as missing, for the right context too. The key
   * policy and the context both carry it renamed to a Decrypt condition key the simulator keeps,
   * which makes the evaluation honest: the positive control below shows the condition can match.
   */
  const SIM_KEY = 'kms:RecipientAttestation:ImageSha384';
  const renamed = <T>(x: T): T => JSON.parse(JSON.stringify(x).replaceAll('kms:EncryptionContext:SecretVersionId', SIM_KEY));
  async function decryptAs(roleId: string, key: 'manifestKey' | 'unlockCodeKey', context: Record<string, string>, action = 'kms:Decrypt') {
    const roleArn = resolver.attribute(roleId, 'Arn');
    context = renamed(context);
    const result = await runSimulation(
      {
        request: {
          principal: roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/fn',
          action,
          resource: { resource: TARGETS[key].arn, accountId: account },
          contextVariables: {
            'aws:PrincipalArn': roleArn,
            'aws:PrincipalAccount': account,
            'aws:SecureTransport': 'true',
            'kms:CallerAccount': account,
            ...context,
          },
        },
        identityPolicies: policiesOf(roleId),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: renamed(TARGETS[key].policy),
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }
  /** What Secrets Manager sends KMS when GetSecretValue decrypts a stored version. */
  const storedVersion = { ...via('secretsmanager'), 'kms:EncryptionContext:SecretVersionId': '6f1c2a9e-0b1d-4c8e-9f00-1234567890ab' };
  const storedObject = via('s3');

  it('covers the broker functions and every other function of the stack', () => {
    expect(lambdaRoles).toEqual(expect.arrayContaining([ROLE_IDS.manifestFunction, ROLE_IDS.unlockCodeFunction]));
    expect(lambdaRoles.length).toBeGreaterThanOrEqual(2);
  });

  it.each(['manifestKey', 'unlockCodeKey'] as const)(
    'no Lambda role decrypts a stored credential with the %s, directly or through its service',
    async (key) => {
      for (const roleId of lambdaRoles) {
        for (const context of [storedVersion, storedObject, {}]) expect(await decryptAs(roleId, key, context)).toEqual(DENIED);
      }
    },
  );

  it('positive controls: each function encrypts with its own key, each operator decrypts its own, through its service', async () => {
    expect(await decryptAs(ROLE_IDS.manifestFunction, 'manifestKey', storedObject, 'kms:GenerateDataKey')).toBe(ALLOWED);
    expect(await decryptAs(ROLE_IDS.unlockCodeFunction, 'unlockCodeKey', storedVersion, 'kms:GenerateDataKey')).toBe(ALLOWED);
    expect(await decide('manifestOperator', 'kms:Decrypt', 'manifestKey', storedObject)).toBe(ALLOWED);
    expect(await decide('unlockCodeOperator', 'kms:Decrypt', 'unlockCodeKey', via('secretsmanager'))).toBe(ALLOWED);
  });

  it("the unlock-code function's one Decrypt is Secrets Manager's key-access check, whose context names no stored version", async () => {
    const check = { ...storedVersion, 'kms:EncryptionContext:SecretVersionId': 'RequestToValidateKeyAccess' };
    expect(await decryptAs(ROLE_IDS.unlockCodeFunction, 'unlockCodeKey', check)).toBe(ALLOWED);
    expect(await decryptAs(ROLE_IDS.unlockCodeFunction, 'unlockCodeKey', { ...check, ...via('s3') })).toEqual(DENIED);
  });
});

describe('the source: Snowball and the vault guards, with and without the guardrails SCP', () => {
  const scp = {
    Version: '2012-10-17',
    Statement: sharedStatements({
      brokerAccountId: account,
      brokerRegions: [region],
      secretPrefix: 'snowball/unlock-code/',
      breakGlassRoleArn: BREAK_GLASS,
      deployerPrincipalArns: [`arn:aws:iam::${account}:role/BrokerPipeline`],
      operatorPrincipalArns: { manifest: [], unlockCode: [] },
    }),
  };
  const snowball = { arn: '*', policy: undefined };
  const fetch = (who: Who, action: string, withScp: boolean) => decide(who, action, snowball, {}, withScp ? scp : undefined);
  const keyAliases = {
    'kms:ResourceAliases': ['alias/snowball-credential-broker/manifest-vault'],
    'aws:ResourceTag/snowball-credential-broker': 'guarded',
    'aws:ResourceAccount': account,
  };
  const changeKeyPolicy = (who: Who, withScp: boolean) =>
    decide(who, 'kms:PutKeyPolicy', 'manifestKey', keyAliases, withScp ? scp : undefined);

  it('without the SCP, an administrator can take both credentials straight from Snowball (the hole the SCP closes)', async () => {
    expect(await fetch('broadAdmin', 'snowball:GetJobUnlockCode', false)).toBe(ALLOWED);
    expect(await fetch('broadAdmin', 'snowball:GetJobManifest', false)).toBe(ALLOWED);
    expect(await changeKeyPolicy('keyAdmin', false)).toBe(ALLOWED);
  });

  it("with the SCP, the administrator's GetJobUnlockCode and GetJobManifest are denied", async () => {
    expect(await fetch('broadAdmin', 'snowball:GetJobUnlockCode', true)).toBe(EXPLICIT);
    expect(await fetch('broadAdmin', 'snowball:GetJobManifest', true)).toBe(EXPLICIT);
  });

  it('with the SCP, each function keeps its own action and still cannot take the other', async () => {
    expect(await fetch('manifestFunction', 'snowball:GetJobManifest', true)).toBe(ALLOWED);
    expect(await fetch('unlockCodeFunction', 'snowball:GetJobUnlockCode', true)).toBe(ALLOWED);
    expect(await fetch('manifestFunction', 'snowball:GetJobUnlockCode', true)).toEqual(DENIED);
    expect(await fetch('unlockCodeFunction', 'snowball:GetJobManifest', true)).toEqual(DENIED);
  });

  it('with the SCP, the break-glass role is exempt', async () => {
    expect(await fetch('breakGlass', 'snowball:GetJobUnlockCode', true)).toBe(ALLOWED);
  });

  it("with the SCP, a key administrator's PutKeyPolicy on a vault key is denied, CloudFormation's is allowed", async () => {
    expect(await changeKeyPolicy('keyAdmin', true)).toBe(EXPLICIT);
    expect(await changeKeyPolicy('deployer', true)).toBe(ALLOWED);
  });
});
