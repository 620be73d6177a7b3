import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { OUTPUTS } from '../../contract/deployment';
import { functionLogicalIdPrefix, OPERATOR_KINDS } from '../../contract/vaults';
import { KEY_USE_ACTIONS } from '../../lib/vault-key';
import { synthBroker } from '../helpers/synth';

const { template, stack } = synthBroker();
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const all = (type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalIdOf = (type: string, pathPart: string) => {
  const found = Object.entries(template.toJSON().Resources as Record<string, Resource & { Metadata?: any }>).find(
    ([id, r]) => r.Type === type && id.startsWith(pathPart),
  );
  if (!found) throw new Error(`no ${type} ${pathPart}`);
  return found[0];
};
const statements = (doc: any): any[] => doc.Statement;
const asList = (v: unknown) => (Array.isArray(v) ? v : [v]);

describe('manifest vault', () => {
  const manifestBucketId = logicalIdOf('AWS::S3::Bucket', 'ManifestVaultBucket');
  const manifestKeyId = logicalIdOf('AWS::KMS::Key', 'ManifestVaultKey');
  const bucket = template.toJSON().Resources[manifestBucketId] as Resource;

  it('is exactly one bucket for all jobs, beside its access-log bucket', () => {
    const buckets = all('AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    expect(buckets.filter(([, b]) => b.Properties.LoggingConfiguration)).toHaveLength(1);
  });

  it('encrypts with its own customer-managed key and a bucket key', () => {
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [manifestKeyId, 'Arn'] } },
      },
    ]);
  });

  it('is versioned, blocks all public access, disables ACLs and is retained on stack deletion', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('logs server access to the log bucket', () => {
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({
      Ref: logicalIdOf('AWS::S3::Bucket', 'ManifestVaultAccessLogs'),
    });
  });

  it('expires manifests after the retention window, old versions after 30 days and incomplete uploads after 1', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ExpirationInDays: 360,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        }),
        expect.objectContaining({ ExpiredObjectDeleteMarker: true }),
      ]),
    );
    const custom = synthBroker({ retentionDays: 90 }).template;
    custom.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90 })]) },
    });
  });

  it('accepts only TLS 1.2+ and denies object reads and writes to all but the manifest roles', () => {
    const [, policy] = all('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === manifestBucketId)!;
    const st = statements(policy.Properties.PolicyDocument);
    expect(st).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
    const guard = st.find((s) => s.Sid === 'OnlyNamedRolesReadOrWriteManifests');
    expect(guard).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect([...guard.Action].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion', 's3:PutObject']);
    expect(guard.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', 'ManifestFunctionRole'), 'Arn'] },
      { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', 'OperatorsManifestOperator'), 'Arn'] },
    ]);
  });
});

describe('vault keys', () => {
  // The third key, the alerts topic's, is checked in test/infra/detection.test.ts.
  const keys = all('AWS::KMS::Key').filter(([id]) => /VaultKey/.test(id));

  it('are two rotating customer-managed keys, retained', () => {
    expect(keys).toHaveLength(2);
    for (const [, key] of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
  });

  it('never delegate to the account: no statement allows kms:* or any use to the account root', () => {
    for (const [, key] of keys) {
      for (const s of statements(key.Properties.KeyPolicy).filter((x) => x.Effect === 'Allow')) {
        expect(asList(s.Action)).not.toContain('kms:*');
        const principals = JSON.stringify(s.Principal);
        if (principals.includes(':root')) expect(asList(s.Action).some((a: string) => KEY_USE_ACTIONS.includes(a))).toBe(false);
      }
    }
  });

  it('let administrators administer but never decrypt, encrypt or grant', () => {
    for (const [, key] of keys) {
      const admin = statements(key.Properties.KeyPolicy).find((s) => s.Sid === 'KeyAdministration');
      expect(admin.Action).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:EnableKeyRotation']));
      for (const action of [...KEY_USE_ACTIONS, 'kms:GenerateDataKey']) expect(admin.Action).not.toContain(action);
      expect(JSON.stringify(admin.Principal)).toContain('cfn-exec-role');
    }
  });

  it('give the functions GenerateDataKey and never a Decrypt of a stored credential (only the key-access check of Secrets Manager)', () => {
    for (const prefix of ['ManifestVaultKey', 'UnlockCodeVaultKey']) {
      const policy = (template.toJSON().Resources[logicalIdOf('AWS::KMS::Key', prefix)] as Resource).Properties.KeyPolicy;
      const functionUses = statements(policy).filter((s) => s.Effect === 'Allow' && /FunctionRole/.test(JSON.stringify(s.Principal)));
      expect(functionUses.map((s) => s.Action)).toContain('kms:GenerateDataKey');
      for (const use of functionUses.filter((s) => asList(s.Action).includes('kms:Decrypt'))) {
        expect(use.Condition.StringEquals['kms:EncryptionContext:SecretVersionId']).toBe('RequestToValidateKeyAccess');
      }
    }
  });

  it('allow use only through the vault service, and explicitly deny it to everyone else', () => {
    const expectations: [string, string, number][] = [
      ['ManifestVaultKey', 's3', 2],
      ['UnlockCodeVaultKey', 'secretsmanager', 3],
    ];
    for (const [prefix, service, count] of expectations) {
      const policy = (template.toJSON().Resources[logicalIdOf('AWS::KMS::Key', prefix)] as Resource).Properties.KeyPolicy;
      const uses = statements(policy).filter((s) => s.Effect === 'Allow' && s.Sid !== 'KeyAdministration');
      expect(uses).toHaveLength(count);
      for (const use of uses) expect(use.Condition.StringEquals['kms:ViaService']).toBe(`${service}.eu-west-1.amazonaws.com`);
      const denies = statements(policy).filter((s) => s.Effect === 'Deny');
      expect(denies.map((d) => d.Sid).sort()).toEqual(['DenyUseOutsideVaultService', 'DenyUseToAllOthers']);
      for (const d of denies) expect([...d.Action].sort()).toEqual([...KEY_USE_ACTIONS].sort());
    }
  });

  it('lets configured key administrators replace the account default', () => {
    const admin = 'arn:aws:iam::123456789012:role/key-admins';
    const { template: t } = synthBroker({ keyAdminPrincipals: [admin] });
    const key = Object.values(t.findResources('AWS::KMS::Key'))[0] as Resource;
    const st = statements(key.Properties.KeyPolicy).find((s) => s.Sid === 'KeyAdministration');
    expect(JSON.stringify(st.Principal)).toContain(admin);
    expect(JSON.stringify(st.Principal)).not.toContain(':root');
  });
});

describe('broker functions', () => {
  const fns = all('AWS::Lambda::Function');

  it('run Node.js 24 on arm64 with explicit memory, reserved concurrency, tracing and their own log group; the API functions inside 29 s', () => {
    // Two API functions, and per vault a reconcile and a notification function (test/infra/lifecycle.test.ts).
    expect(fns).toHaveLength(6);
    for (const [id, fn] of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: expect.any(Number),
        ReservedConcurrentExecutions: expect.any(Number),
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      if (OPERATOR_KINDS.some((kind) => id.startsWith(functionLogicalIdPrefix(kind, 'api'))))
        expect(fn.Properties.Timeout).toBeLessThan(29);
    }
    for (const [, group] of all('AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(400);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('have roles without managed policies', () => {
    for (const prefix of ['ManifestFunctionRole', 'UnlockCodeFunctionRole']) {
      const role = template.toJSON().Resources[logicalIdOf('AWS::IAM::Role', prefix)] as Resource;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  const policyOf = (rolePrefix: string) => {
    const roleId = logicalIdOf('AWS::IAM::Role', rolePrefix);
    return all('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap(([, p]) => statements(p.Properties.PolicyDocument));
  };
  const actionsOf = (rolePrefix: string) => policyOf(rolePrefix).flatMap((s) => asList(s.Action));

  it('each call only their own Snowball action, plus DescribeJob and ListJobs', () => {
    expect(
      actionsOf('ManifestFunctionRole')
        .filter((a) => a.startsWith('snowball:'))
        .sort(),
    ).toEqual(['snowball:DescribeJob', 'snowball:GetJobManifest', 'snowball:ListJobs']);
    expect(
      actionsOf('UnlockCodeFunctionRole')
        .filter((a) => a.startsWith('snowball:'))
        .sort(),
    ).toEqual(['snowball:DescribeJob', 'snowball:GetJobUnlockCode', 'snowball:ListJobs']);
  });

  it('each touch only their own vault', () => {
    expect(actionsOf('ManifestFunctionRole').some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    expect(actionsOf('UnlockCodeFunctionRole').some((a) => a.startsWith('s3:'))).toBe(false);
    const secretsStatement = policyOf('UnlockCodeFunctionRole').find((s) => s.Sid === 'KeepUnlockCodeSecrets');
    expect(JSON.stringify(secretsStatement.Resource)).toContain(':secret:snowball/unlock-code/*');
  });
});

describe('broker API', () => {
  it('authorises every method with AWS_IAM and validates the job id parameter of the job routes', () => {
    const methods = all('AWS::ApiGateway::Method');
    expect(methods).toHaveLength(6);
    for (const [, m] of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    const jobMethods = methods.filter(([, m]) => m.Properties.RequestParameters);
    expect(jobMethods).toHaveLength(4);
    for (const [, m] of jobMethods) {
      expect(m.Properties.RequestParameters).toEqual({ 'method.request.path.jobId': true });
      expect(m.Properties.RequestValidatorId).toBeDefined();
    }
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
  });

  it('serves GET and POST on /jobs/{jobId}/manifest and /jobs/{jobId}/unlock-code, and GET on /manifests and /unlock-codes', () => {
    const paths = all('AWS::ApiGateway::Resource')
      .map(([, r]) => r.Properties.PathPart)
      .sort();
    expect(paths).toEqual(['manifest', 'jobs', 'unlock-code', '{jobId}', 'manifests', 'unlock-codes'].sort());
  });

  it('treats every media type as binary, so a plain client (Accept: */*) gets the manifest bytes', () => {
    // The sandbox's gateway emulates what API Gateway does with exactly this list (test/e2e/sandbox-api.test.ts).
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });

  it('has a resource policy that admits only the two operator roles, each to its own routes', () => {
    const api = all('AWS::ApiGateway::RestApi')[0][1];
    const st = statements(api.Properties.Policy);
    const manifestRole = { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', 'OperatorsManifestOperator'), 'Arn'] };
    const unlockRole = { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', 'OperatorsUnlockCodeOperator'), 'Arn'] };
    const allows = st.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => ({ who: s.Principal.AWS, routes: [...s.Resource].sort() }))).toEqual([
      {
        who: manifestRole,
        routes: ['execute-api:/*/GET/jobs/*/manifest', 'execute-api:/*/GET/manifests', 'execute-api:/*/POST/jobs/*/manifest'],
      },
      {
        who: unlockRole,
        routes: ['execute-api:/*/GET/jobs/*/unlock-code', 'execute-api:/*/GET/unlock-codes', 'execute-api:/*/POST/jobs/*/unlock-code'],
      },
    ]);
    expect(st.find((s) => s.Sid === 'DenyAllButOperators').Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([manifestRole, unlockRole]);
  });

  it('logs access as JSON with the caller ARN, executes at ERROR without data tracing, throttles and traces', () => {
    const stage = all('AWS::ApiGateway::Stage')[0][1].Properties;
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format.caller).toBe('$context.identity.userArn');
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        ThrottlingRateLimit: 10,
        ThrottlingBurstLimit: 20,
        HttpMethod: '*',
        ResourcePath: '/*',
      }),
    ]);
  });

  it('answers its own refusals in the broker JSON error shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"AccessDenied"') },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'REQUEST_TOO_LARGE',
      StatusCode: '413',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"RequestTooLarge"') },
    });
  });
});

describe('operator roles', () => {
  const trustOf = (t: Template, prefix: string) =>
    (Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith(prefix))![1] as Resource).Properties;

  it('trust nobody by default (a deny-only trust policy, no account root), with a synth warning per role', () => {
    for (const prefix of ['OperatorsManifestOperator', 'OperatorsUnlockCodeOperator']) {
      const trust = trustOf(template, prefix).AssumeRolePolicyDocument;
      expect(JSON.stringify(trust)).not.toContain(':root');
      expect(trust.Statement.every((s: any) => s.Effect === 'Deny')).toBe(true);
    }
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('nobody can assume'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringContaining('No manifestOperatorPrincipals are configured: nobody can assume ManifestOperator'),
      expect.stringContaining('No unlockCodeOperatorPrincipals are configured: nobody can assume UnlockCodeOperator'),
    ]);
  });

  it('trust the named principals when configured, with no warning, for one-hour sessions', () => {
    const named = 'arn:aws:iam::123456789012:role/field-team';
    const { template: t, stack: s } = synthBroker({ manifestOperatorPrincipals: [named] });
    const props = trustOf(t, 'OperatorsManifestOperator');
    expect(props.AssumeRolePolicyDocument.Statement[0]).toMatchObject({ Effect: 'Allow', Principal: { AWS: named } });
    expect(props.MaxSessionDuration).toBe(3600);
    expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('nobody can assume ManifestOperator'))).toEqual([]);
  });

  it('each carry an explicit deny on the other vault', () => {
    const denies = all('AWS::IAM::Policy')
      .flatMap(([, p]) => statements(p.Properties.PolicyDocument))
      .filter((s) => s.Effect === 'Deny');
    expect(denies.map((d) => d.Sid).sort()).toEqual(['NeverReadManifests', 'NeverReadUnlockCodes']);
  });
});

describe('stack outputs', () => {
  it('carry exactly the names operators tools read', () => {
    // Besides them, RestApi adds an output of its own (the same URL as ApiUrl), named by CDK.
    const outputs = Object.keys(template.toJSON().Outputs).filter((name) => !/^BrokerApiEndpoint[0-9A-F]{8}$/.test(name));
    expect(outputs.sort()).toEqual(Object.values(OUTPUTS).sort());
    expect(template.toJSON().Outputs.UnlockCodeSecretPrefix.Value).toBe('snowball/unlock-code/');
  });
});
