import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ENV, manifestObjectKey, ROUTE_SEGMENT, type OperatorKind } from '../../lib/contract';
import { unlockCodeSecretPolicy } from '../../lambda/unlock-code/secret-policy';
import { synthBroker, TEST_ENV } from '../helpers/synth';
import { TemplateResolver } from '../helpers/template-resolver';

/**
 * The access matrix of DESIGN.md, evaluated as IAM policy over the synthesized template: identity
 * policies, the bucket policy, both key policies, the secrets' resource policy and the API's
 * resource policy, with the context keys AWS would send.
 */
const { template } = synthBroker();
const raw = template.toJSON();
const resolver = new TemplateResolver(raw as { Resources: Record<string, any> }, TEST_ENV);
const { account, region } = TEST_ENV;
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';

const idOf = (type: string, prefix: string) =>
  Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === type && id.startsWith(prefix))!;
const resolved = (id: string) => resolver.resolve(raw.Resources[id].Properties);
const roleArn = (prefix: string) => resolver.attribute(idOf('AWS::IAM::Role', prefix), 'Arn');

const ROLES = {
  manifestOperator: roleArn('OperatorsManifestOperator'),
  unlockCodeOperator: roleArn('OperatorsUnlockCodeOperator'),
  manifestFunction: roleArn('ManifestFunctionRole'),
  unlockCodeFunction: roleArn('UnlockCodeFunctionRole'),
  broadAdmin: `arn:aws:iam::${account}:role/PlatformAdmin`,
};
type Who = keyof typeof ROLES;

const BROAD_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'secretsmanager:*', 'kms:*', 'execute-api:*'], Resource: '*' }],
};

function identityPolicies(who: Who): Simulation['identityPolicies'] {
  if (who === 'broadAdmin') return [{ name: 'broad', policy: BROAD_POLICY }];
  const roleId = ROLES[who].split('/').pop()!;
  return Object.entries(raw.Resources as Record<string, any>)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
    .map(([id]) => ({ name: id, policy: resolved(id).PolicyDocument }));
}

const bucketId = idOf('AWS::S3::Bucket', 'ManifestVaultBucket');
const bucketName = resolver.attribute(bucketId, 'Ref');
const bucketPolicy = resolved(
  Object.keys(raw.Resources).find((id) => raw.Resources[id].Type === 'AWS::S3::BucketPolicy' && raw.Resources[id].Properties.Bucket.Ref === bucketId)!,
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
const unlockEnv = resolved(idOf('AWS::Lambda::Function', 'UnlockCodeFunction')).Environment.Variables;
const secretPolicy = unlockCodeSecretPolicy({
  readerRoleArn: unlockEnv[ENV.unlockCodeReaderRoleArn],
  brokerRoleArn: unlockEnv[ENV.unlockCodeBrokerRoleArn],
});

const TARGETS = {
  manifestObject: { arn: `arn:aws:s3:::${bucketName}/${manifestObjectKey(JOB)}`, policy: bucketPolicy },
  manifestKey: { arn: resolver.attribute(manifestKeyId, 'Arn'), policy: resolved(manifestKeyId).KeyPolicy },
  unlockCodeSecret: { arn: `arn:aws:secretsmanager:${region}:${account}:secret:snowball/unlock-code/${JOB}-AbCdEf`, policy: secretPolicy },
  unlockCodeKey: { arn: resolver.attribute(unlockKeyId, 'Arn'), policy: resolved(unlockKeyId).KeyPolicy },
  unrelatedObject: { arn: 'arn:aws:s3:::some-other-bucket/report.csv', policy: undefined },
};
type Target = keyof typeof TARGETS;

async function decide(who: Who, action: string, target: Target | { arn: string; policy: unknown }, extra: Record<string, string> = {}) {
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
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const via = (service: string) => ({ 'kms:ViaService': `${service}.${region}.amazonaws.com` });
const invoke = (who: Who, kind: OperatorKind, method: 'GET' | 'POST') =>
  decide(who, 'execute-api:Invoke', {
    arn: `arn:aws:execute-api:${region}:${account}:${apiRef}/v1/${method}/jobs/${JOB}/${ROUTE_SEGMENT[kind]}`,
    policy: apiPolicy,
  });

/** One row of DESIGN.md's matrix: API manifest, GetObject, manifest key, API unlock code, GetSecretValue, unlock key. */
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

describe('access matrix (DESIGN.md), evaluated as policy', () => {
  it('ManifestOperator: brokers and reads manifests, decrypts via S3; nothing of the unlock-code vault', async () => {
    expect(await row('manifestOperator')).toEqual({
      apiManifest: ALLOWED, getManifestObject: ALLOWED, decryptManifestKey: ALLOWED,
      apiUnlockCode: EXPLICIT, getUnlockCodeSecret: EXPLICIT, decryptUnlockCodeKey: EXPLICIT,
    });
  });

  it('UnlockCodeOperator: brokers and reads unlock codes, decrypts via Secrets Manager; nothing of the manifest vault', async () => {
    expect(await row('unlockCodeOperator')).toEqual({
      apiManifest: EXPLICIT, getManifestObject: EXPLICIT, decryptManifestKey: EXPLICIT,
      apiUnlockCode: ALLOWED, getUnlockCodeSecret: ALLOWED, decryptUnlockCodeKey: ALLOWED,
    });
  });

  it('manifest function: its own vault and key only', async () => {
    const r = await row('manifestFunction');
    expect([r.getManifestObject, r.decryptManifestKey, r.getUnlockCodeSecret, r.decryptUnlockCodeKey]).toEqual([ALLOWED, ALLOWED, EXPLICIT, EXPLICIT]);
    expect(await decide('manifestFunction', 's3:PutObject', 'manifestObject')).toBe(ALLOWED);
    expect(await decide('manifestFunction', 'kms:GenerateDataKey', 'manifestKey', via('s3'))).toBe(ALLOWED);
  });

  it('unlock-code function: its own vault and key only', async () => {
    const r = await row('unlockCodeFunction');
    expect([r.getManifestObject, r.decryptManifestKey, r.getUnlockCodeSecret, r.decryptUnlockCodeKey]).toEqual([EXPLICIT, EXPLICIT, ALLOWED, ALLOWED]);
    expect(await decide('unlockCodeFunction', 'secretsmanager:PutSecretValue', 'unlockCodeSecret')).toBe(ALLOWED);
    expect(await decide('unlockCodeFunction', 'kms:GenerateDataKey', 'unlockCodeKey', via('secretsmanager'))).toBe(ALLOWED);
  });

  it('a principal of the account with s3:*, secretsmanager:*, kms:* and execute-api:* reads neither secret: every cell explicitly denied', async () => {
    expect(await row('broadAdmin')).toEqual({
      apiManifest: EXPLICIT, getManifestObject: EXPLICIT, decryptManifestKey: EXPLICIT,
      apiUnlockCode: EXPLICIT, getUnlockCodeSecret: EXPLICIT, decryptUnlockCodeKey: EXPLICIT,
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
      const delegating = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }] };
      expect(await decide('broadAdmin', 'kms:Decrypt', { arn: TARGETS.unlockCodeKey.arn, policy: delegating }, via('secretsmanager'))).toBe(ALLOWED);
    });

    it('would let the broad principal read a secret without the vault resource policy', async () => {
      expect(await decide('broadAdmin', 'secretsmanager:GetSecretValue', { arn: TARGETS.unlockCodeSecret.arn, policy: undefined })).toBe(ALLOWED);
    });

    it('denies implicitly, not explicitly, where no policy speaks (so EXPLICIT above is earned)', async () => {
      expect(await decide('unlockCodeOperator', 's3:GetObject', 'unrelatedObject')).toEqual(DENIED);
      expect(await decide('unlockCodeOperator', 's3:GetObject', 'unrelatedObject')).not.toBe(EXPLICIT);
    });
  });
});
