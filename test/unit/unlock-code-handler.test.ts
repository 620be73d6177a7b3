import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  UpdateSecretVersionStageCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeJobCommand,
  GetJobUnlockCodeCommand,
  InvalidJobStateException,
  InvalidResourceException,
  ListJobsCommand,
} from '@aws-sdk/client-snowball';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../contract/deployment';
import { VAULTS } from '../../contract/vaults';
import { handler } from '../../lambda/unlock-code/api-handler';
import { unlockCodeSecretPolicy } from '../../lambda/unlock-code/secret-policy';
import { versionToken } from '../../lambda/unlock-code/secrets-manager';
import { apiEvent, errorOf, JOB_ID, MANIFEST_CALLER, UNLOCK_CALLER, UNLOCK_ROLE_ARN } from '../helpers/events';
import { captureLogs } from '../helpers/log-capture';
import { mockSnowball } from '../helpers/snowball-mock';

const logs = captureLogs();
const snowball = mockSnowball();
const secrets = mockClient(SecretsManagerClient);
const CODE = '7Kq2M-x9PzA-b4RtE-Lm83n-Q0wYs';
const NEW_CODE = 'Hd72k-PPq0z-1mXvB-rT5aa-9Zc3E';
const PREFIX = 'snowball/unlock-code/';
const NAME = `${PREFIX}${JOB_ID}`;
const ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${NAME}-AbCdEf`;
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const BROKER_ROLE_ARN = 'arn:aws:iam::123456789012:role/Broker-UnlockCodeFunctionRole-9Z8Y7X';
const smError = (name: string, status = 400) =>
  new SecretsManagerServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name}: details` });

const post = (jobId = JOB_ID, caller = UNLOCK_CALLER) => handler(apiEvent('unlockCode', 'POST', jobId, caller));
const get = (jobId = JOB_ID, caller = UNLOCK_CALLER) => handler(apiEvent('unlockCode', 'GET', jobId, caller));

beforeAll(() => {
  Object.assign(process.env, {
    [ENV.unlockCodeSecretPrefix]: PREFIX,
    [ENV.unlockCodeKeyArn]: KEY_ARN,
    [ENV.unlockCodeReaderRoleArn]: UNLOCK_ROLE_ARN,
    [ENV.unlockCodeBrokerRoleArn]: BROKER_ROLE_ARN,
  });
});

const TAGS = [
  { Key: 'snowball-job-id', Value: JOB_ID },
  { Key: 'managed-by', Value: 'snowball-credential-broker' },
];
const OURS = { ARN, Name: NAME, KmsKeyId: KEY_ARN, Tags: TAGS };

beforeEach(() => {
  snowball.reset();
  secrets.reset();
  snowball
    .on(DescribeJobCommand)
    .resolves({ JobMetadata: { JobState: 'WithCustomer', CreationDate: new Date(Date.now() - 10 * 86_400_000) } });
  snowball.on(GetJobUnlockCodeCommand).resolves({ UnlockCode: CODE });
  secrets.on(DescribeSecretCommand).rejects(smError('ResourceNotFoundException'));
  secrets.on(CreateSecretCommand).resolves({ ARN: ARN, Name: NAME });
  secrets.on(GetSecretValueCommand).rejects(new Error('the unlock-code function must never read a value'));
  secrets.on(ListSecretVersionIdsCommand).resolves({ Versions: [] });
  secrets.on(PutResourcePolicyCommand).resolves({ ARN });
  secrets.on(GetResourcePolicyCommand).resolves({ ARN });
  secrets.on(PutSecretValueCommand).callsFake((input) => ({ ARN, VersionId: input.ClientRequestToken }));
});

/** A secret the broker created, holding `value` as its current version (by id: the function never sees a value). */
const BROKER_POLICY = JSON.stringify(unlockCodeSecretPolicy({ readerRoleArn: UNLOCK_ROLE_ARN, brokerRoleArn: BROKER_ROLE_ARN }));
const existingSecret = (value: string, deleted = false) => {
  secrets.on(DescribeSecretCommand).resolves({ ...OURS, ...(deleted ? { DeletedDate: new Date() } : {}) });
  secrets.on(GetResourcePolicyCommand).resolves({ ARN, ResourcePolicy: BROKER_POLICY });
  secrets.on(ListSecretVersionIdsCommand).resolves({
    Versions: [{ VersionId: versionToken(JOB_ID, value), VersionStages: ['AWSCURRENT'], CreatedDate: new Date('2026-11-01T00:00:00Z') }],
  });
};

describe('POST /jobs/{jobId}/unlock-code', () => {
  it('creates the secret empty with its own key and tags, guards it with a resource policy, then stores the code', async () => {
    const result = await post();
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toEqual({
      jobId: JOB_ID,
      secretArn: ARN,
      versionId: versionToken(JOB_ID, CODE),
      fetchedAt: expect.any(String),
      unchanged: false,
      restored: false,
    });
    const create = secrets.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(create).toMatchObject({
      Name: NAME,
      KmsKeyId: KEY_ARN,
      Tags: expect.arrayContaining([{ Key: 'snowball-job-id', Value: JOB_ID }]),
    });
    expect(create.SecretString).toBeUndefined();
    const policyCall = secrets.commandCalls(PutResourcePolicyCommand)[0];
    const putCall = secrets.commandCalls(PutSecretValueCommand)[0];
    const order = secrets.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf('PutResourcePolicyCommand')).toBeLessThan(order.indexOf('PutSecretValueCommand'));
    const policy = JSON.parse(policyCall.args[0].input.ResourcePolicy!);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: 'secretsmanager:GetSecretValue',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': UNLOCK_ROLE_ARN } },
    });
    expect(policy.Statement[1]).toMatchObject({
      Effect: 'Deny',
      Action: expect.arrayContaining(['secretsmanager:PutSecretValue']),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': BROKER_ROLE_ARN } },
    });
    expect(putCall.args[0].input).toMatchObject({ SecretId: ARN, SecretString: CODE, ClientRequestToken: versionToken(JOB_ID, CODE) });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('never returns the code in the write-path answer', async () => {
    const result = await post();
    expect(result.body).not.toContain(CODE);
  });

  it('puts no new version when the stored code is the same, and answers 200 unchanged', async () => {
    existingSecret(CODE);
    const result = await post();
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({
      unchanged: true,
      versionId: versionToken(JOB_ID, CODE),
      fetchedAt: '2026-11-01T00:00:00.000Z',
    });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('puts back an altered resource policy before anything else, even when the code is unchanged, and reports it', async () => {
    existingSecret(CODE);
    const foreign = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    });
    secrets.on(GetResourcePolicyCommand).resolves({ ARN, ResourcePolicy: foreign });
    const from = logs.text().length;
    const result = await post();
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(secrets.commandCalls(PutResourcePolicyCommand)[0].args[0].input.ResourcePolicy!)).toEqual(JSON.parse(BROKER_POLICY));
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(logs.text().slice(from)).toContain(
      `"event":"alert:unlock-code-secret-policy-reapplied","jobId":"${JOB_ID}","outcome":"altered"`,
    );
  });

  it("leaves the broker's own policy alone (no rewrite) when it is intact", async () => {
    existingSecret(CODE);
    await post();
    expect(secrets.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  });

  it('makes an earlier version current again when Snowball hands back an earlier code, with no new version', async () => {
    existingSecret(NEW_CODE);
    secrets.on(ListSecretVersionIdsCommand).resolves({
      Versions: [
        { VersionId: versionToken(JOB_ID, NEW_CODE), VersionStages: ['AWSCURRENT'] },
        { VersionId: versionToken(JOB_ID, CODE), VersionStages: ['AWSPREVIOUS'] },
      ],
    });
    secrets.on(UpdateSecretVersionStageCommand).resolves({ ARN });
    const result = await post();
    expect(result.statusCode).toBe(201);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: ARN,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: versionToken(JOB_ID, CODE),
      RemoveFromVersionId: versionToken(JOB_ID, NEW_CODE),
    });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('answers unchanged when a concurrent broker put the same code first (the repeated token needs a Decrypt it lacks)', async () => {
    existingSecret(NEW_CODE);
    secrets
      .on(ListSecretVersionIdsCommand)
      .resolvesOnce({ Versions: [{ VersionId: versionToken(JOB_ID, NEW_CODE), VersionStages: ['AWSCURRENT'] }] })
      .resolves({ Versions: [{ VersionId: versionToken(JOB_ID, CODE), VersionStages: ['AWSCURRENT'] }] });
    secrets.on(PutSecretValueCommand).rejects(smError('AccessDeniedException'));
    const result = await post();
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ unchanged: true, versionId: versionToken(JOB_ID, CODE) });
  });

  it('derives the version token from the job and the code, never containing either, so a planted token cannot be guessed', () => {
    const token = versionToken(JOB_ID, CODE);
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(token).not.toBe(versionToken(JOB_ID, NEW_CODE));
    expect(token).not.toBe(versionToken('JID00000000-0000-0000-0000-000000000000', CODE));
    expect(token).not.toContain(CODE.slice(0, 5));
  });

  it.each([
    ['another KMS key', { ...OURS, KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/99999999-0000-0000-0000-000000000000' }],
    ['the AWS managed key', { ARN, Name: NAME, Tags: TAGS }],
    ['the vault key named by bare key id, not the ARN the broker passes', { ...OURS, KmsKeyId: KEY_ARN.split('/')[1] }],
    ['no broker tags', { ...OURS, Tags: [] }],
  ])(
    'refuses to adopt a secret it did not create (%s): 409 ForeignSecret, nothing stored, an alert line naming the job',
    async (_what, described) => {
      secrets.on(DescribeSecretCommand).resolves(described);
      const from = logs.text().length;
      const result = await post();
      expect(result.statusCode).toBe(409);
      expect(errorOf(result)).toMatchObject({ code: 'ForeignSecret', message: expect.stringContaining(JOB_ID) });
      for (const Command of [PutSecretValueCommand, PutResourcePolicyCommand, CreateSecretCommand, RestoreSecretCommand]) {
        expect(secrets.commandCalls(Command as never)).toHaveLength(0);
      }
      expect(snowball.commandCalls(GetJobUnlockCodeCommand as never)).toHaveLength(0);
      expect(logs.text().slice(from)).toContain(`"event":"alert:foreign-unlock-code-secret","jobId":"${JOB_ID}"`);
    },
  );

  it.each([
    ['Complete', 10, 'JobNotWithCustomer'],
    ['Cancelled', 10, 'JobNotWithCustomer'],
    ['WithCustomer', 400, 'CredentialsExpired'],
  ])('refuses a job that is %s (%i days old) with 409 %s and stores nothing', async (state, days, code) => {
    snowball.on(DescribeJobCommand).resolves({ JobMetadata: { JobState: state, CreationDate: new Date(Date.now() - days * 86_400_000) } });
    const result = await post();
    expect(result.statusCode).toBe(409);
    expect(errorOf(result).code).toBe(code);
    expect(snowball.commandCalls(GetJobUnlockCodeCommand as never)).toHaveLength(0);
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('never restores a secret retired while the capture ran (live at its start, scheduled for deletion after the fetch)', async () => {
    secrets
      .on(DescribeSecretCommand)
      .resolvesOnce(OURS)
      .resolves({ ...OURS, DeletedDate: new Date() });
    const result = await post();
    expect(result.statusCode).toBe(409);
    expect(errorOf(result).code).toBe('RetiredDuringCapture');
    expect(secrets.commandCalls(RestoreSecretCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('puts a new version when the code changed, under the token of the new code', async () => {
    existingSecret(CODE);
    snowball.on(GetJobUnlockCodeCommand).resolves({ UnlockCode: NEW_CODE });
    const first = await post();
    expect(first.statusCode).toBe(201);
    const tokens = secrets.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toEqual([versionToken(JOB_ID, NEW_CODE)]);
  });

  it('continues when a concurrent broker created the secret first (ResourceExistsException)', async () => {
    secrets
      .on(DescribeSecretCommand)
      .rejectsOnce(smError('ResourceNotFoundException'))
      .rejectsOnce(smError('ResourceNotFoundException'))
      .resolves(OURS);
    secrets.on(CreateSecretCommand).rejects(smError('ResourceExistsException'));
    const result = await post();
    expect(result.statusCode).toBe(201);
    expect(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretId).toBe(ARN);
  });

  it('answers 503 rather than loop when a secret that "already exists" cannot be found', async () => {
    secrets.on(CreateSecretCommand).rejects(smError('ResourceExistsException'));
    const result = await post();
    expect(result.statusCode).toBe(503);
    expect(secrets.commandCalls(DescribeSecretCommand)).toHaveLength(3);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('restores a secret scheduled for deletion, then stores the code, and says so', async () => {
    existingSecret('Old00-Old00-Old00-Old00-Old00', true);
    secrets.on(RestoreSecretCommand).resolves({ ARN });
    const result = await post();
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ restored: true, unchanged: false });
    expect(secrets.commandCalls(RestoreSecretCommand)).toHaveLength(1);
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('deletes the secret it just created when storing the code fails, so nothing half-written stays', async () => {
    secrets.on(PutSecretValueCommand).rejects(smError('AccessDeniedException'));
    secrets.on(DeleteSecretCommand).resolves({});
    const result = await post();
    expect(result.statusCode).toBe(500);
    expect(secrets.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: ARN, ForceDeleteWithoutRecovery: true });
  });

  it('never deletes a secret it did not create when a write fails', async () => {
    existingSecret('Old00-Old00-Old00-Old00-Old00');
    secrets.on(PutSecretValueCommand).rejects(smError('ThrottlingException'));
    const result = await post();
    expect(result.statusCode).toBe(429);
    expect(secrets.commandCalls(DeleteSecretCommand)).toHaveLength(0);
  });

  it.each([
    ['too short', '7Kq2M-x9PzA-b4RtE-Lm83n'],
    ['wrong separators', '7Kq2M_x9PzA_b4RtE_Lm83n_Q0wYs'],
    ['non-alphanumerics', '7Kq2M-x9P!A-b4RtE-Lm83n-Q0wYs'],
    ['empty', ''],
  ])('rejects a malformed unlock code (%s) with 502 and stores nothing', async (_what, code) => {
    snowball.on(GetJobUnlockCodeCommand).resolves({ UnlockCode: code });
    const result = await post();
    expect(result.statusCode).toBe(502);
    expect(errorOf(result).code).toBe('MalformedUnlockCode');
    if (code) expect(result.body).not.toContain(code);
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('answers 404 for an unknown job and 409 naming the state of a job not WithCustomer', async () => {
    snowball.on(DescribeJobCommand).rejects(new InvalidResourceException({ message: 'x', $metadata: {} }));
    expect((await post()).statusCode).toBe(404);
    snowball.on(GetJobUnlockCodeCommand).rejects(new InvalidJobStateException({ message: 'x', $metadata: {} }));
    snowball.on(DescribeJobCommand).resolvesOnce({ JobMetadata: { JobState: 'WithCustomer', CreationDate: new Date() } });
    snowball.on(DescribeJobCommand).resolves({ JobMetadata: { JobState: 'Complete' } });
    const result = await post();
    expect(result.statusCode).toBe(409);
    expect(errorOf(result).message).toContain('Complete');
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('lets the caller the event names decide nothing: a fleet answer is the same for the manifest operator, a forged ARN or none', async () => {
    // Anyone allowed lambda:InvokeFunction writes that field; API Gateway's AWS_IAM and resource policy decide who reaches a route.
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [] });
    const fleet = (caller: string) =>
      handler({ ...apiEvent('unlockCode', 'GET', JOB_ID, caller), resource: VAULTS.unlockCode.fleetRoute, pathParameters: null });
    const answers = await Promise.all(
      [UNLOCK_CALLER, MANIFEST_CALLER, 'arn:aws:sts::123456789012:assumed-role/Anything/forged', ''].map(
        async (c) => (await fleet(c)).body,
      ),
    );
    expect(new Set(answers).size).toBe(1);
    expect(JSON.parse(answers[0])).toEqual({ jobs: [] });
  });

  it('answers 400 to a malformed job id without calling AWS', async () => {
    expect((await post('JID../../x')).statusCode).toBe(400);
    expect(snowball.calls()).toHaveLength(0);
  });
});

describe('GET /jobs/{jobId}/unlock-code reaches no function', () => {
  it('answers a forged invoke naming the unlock-code operator with no code: the function reads nothing', async () => {
    existingSecret(CODE);
    secrets.on(GetSecretValueCommand).resolves({ ARN, SecretString: CODE, VersionId: 'v' });
    const result = await get();
    expect(result.statusCode).toBe(405);
    expect(result.body).not.toContain(CODE);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('answers JSON that API Gateway passes through as text whatever binaryMediaTypes says (never base64-flagged)', async () => {
    existingSecret(CODE);
    for (const result of [await get(), await post(), await get('bad-id')]) {
      expect(result.isBase64Encoded).toBeFalsy();
      expect(result.headers).toMatchObject({ 'Content-Type': 'application/json' });
      expect(() => JSON.parse(result.body)).not.toThrow();
    }
  });
});

describe('metrics of the unlock-code function (embedded metric format)', () => {
  /** The EMF documents logged since `from`, as CloudWatch would parse them. */
  const emfSince = (from: number) =>
    logs
      .text()
      .slice(from)
      .split('\n')
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))));

  it('counts a brokering per vault, under the broker namespace, with only closed-set dimensions', async () => {
    const from = logs.text().length;
    await post();
    const [doc] = emfSince(from);
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'SnowballCredentialBroker', Dimensions: [['service', 'Vault']] });
    expect(doc).toMatchObject({ service: 'snowball-credential-broker', Vault: 'unlockCode' });
    expect(JSON.stringify(doc)).not.toContain(CODE);
  });

  it('does not count a fleet listing as a read of an unlock code', async () => {
    snowball.on(ListJobsCommand).resolves({ JobListEntries: [] });
    const from = logs.text().length;
    const fleet = { ...apiEvent('unlockCode', 'GET', '', UNLOCK_CALLER), resource: '/unlock-codes', pathParameters: null };
    expect((await handler(fleet)).statusCode).toBe(200);
    expect(emfSince(from).filter((doc) => doc.Read !== undefined)).toEqual([]);
  });

  it('counts a failure per vault and again per error code', async () => {
    const from = logs.text().length;
    await post('JIDnot-a-job');
    const docs = emfSince(from);
    expect(docs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Vault: 'unlockCode', ErrorCode: 'InvalidJobId', Failed: 1 }),
        expect.objectContaining({ Vault: 'unlockCode', Failed: 1 }),
      ]),
    );
    for (const doc of docs) expect(JSON.stringify(doc)).not.toMatch(/JID|assumed-role/);
  });
});

describe('log hygiene of the unlock-code function', () => {
  it('never logged an unlock code', () => {
    const text = logs.text();
    expect(text).toContain('unlock-code-brokered');
    for (const code of [CODE, NEW_CODE, '7Kq2M', 'Hd72k']) expect(text).not.toContain(code);
  });
});
