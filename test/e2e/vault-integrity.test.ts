import { DeleteObjectCommand, GetObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { routePath } from '../../contract/api';
import { STABLE_NAMES } from '../../contract/deployment';
import { manifestObjectKey, unlockCodeSecretName } from '../../contract/vault-layout';
import { type OperatorKind } from '../../contract/vaults';
import { KEY_ARN } from '../../sandbox/functions';
import type { PrincipalName } from '../../sandbox/identities';
import type { Sandbox } from '../../sandbox/sandbox';
import type { Credentials } from '../../sandbox/sigv4';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';
import { control } from '../helpers/sandbox-control';
import { sandboxPerMode } from '../helpers/shared-sandbox';

/**
 * Vault integrity end to end, with the sandbox's `administrator` (every action by identity policy,
 * held back only by the emulated resource and key policies): squatting, expired and finished jobs,
 * retirement, and the reads the administrator can and cannot make.
 */
const logs = captureLogs();

/** One sandbox per mode for the file; each test on a fresh job, seeing only what it raised (see the helper). */
const withSandbox = sandboxPerMode(logs, { alertLog: () => undefined });

const OPERATOR: Record<OperatorKind, PrincipalName> = { manifest: 'manifest', unlockCode: 'unlockCode' };
const url = (s: Sandbox, kind: OperatorKind, job: string) => `${s.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job)}`;
const post = (s: Sandbox, kind: OperatorKind, job: string) =>
  signedCall(url(s, kind, job), s.principals[OPERATOR[kind]], s.info.region, { method: 'POST' });
const get = (s: Sandbox, kind: OperatorKind, job: string) => signedCall(url(s, kind, job), s.principals[OPERATOR[kind]], s.info.region);
const secrets = (s: Sandbox, c: Credentials) =>
  new SecretsManagerClient({
    region: s.info.region,
    endpoint: s.info.vaults.unlockCode.secretsManagerEndpoint,
    credentials: c,
    maxAttempts: 1,
  });
const s3 = (s: Sandbox, c: Credentials) =>
  new S3Client({
    region: s.info.region,
    endpoint: s.info.vaults.manifest.s3Endpoint,
    forcePathStyle: true,
    credentials: c,
    maxAttempts: 1,
  });
const secretName = (s: Sandbox, job: string) => unlockCodeSecretName(s.info.vaults.unlockCode.secretPrefix, job);
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => 'allowed',
    (err: Error) => err.name,
  );

describe('squatting: a secret the broker did not create is never adopted', () => {
  // Without the guardrails SCP, which refuses the squat itself (test/e2e/guardrails.test.ts): the broker and the key are the layers shown here.
  it('an administrator pre-creates the job secret: POST answers 409 ForeignSecret, stores nothing, and the squat is alerted naming the job', () =>
    withSandbox('off', async ({ s, job, raised, logged }) => {
      const admin = secrets(s, s.principals.administrator);
      expect(await outcome(admin.send(new CreateSecretCommand({ Name: secretName(s, job) })))).toBe('allowed');
      const answer = await post(s, 'unlockCode', job);
      expect(answer.status).toBe(409);
      expect(answer.json().error).toMatchObject({ code: 'ForeignSecret', message: expect.stringContaining(job) });
      const squat = s.secrets.secrets.get(secretName(s, job))!;
      expect(squat.versions.size).toBe(0);
      expect(squat.resourcePolicy).toBeUndefined();
      expect(await raised()).toContainEqual(
        expect.objectContaining({
          alert: 'UnlockCodeSecretCreatedAroundBroker',
          resource: secretName(s, job),
          who: s.principals.administrator.callerArn,
        }),
      );
      expect(logged()).toContain(`"event":"alert:foreign-unlock-code-secret","jobId":"${job}"`);
    }));

  it('cannot squat with the vault key either, however it is named (ARN, key id, alias, alias ARN): the key refuses Secrets Manager its check for anyone but the function', () =>
    withSandbox('off', async ({ s, job }) => {
      const admin = secrets(s, s.principals.administrator);
      const arn = KEY_ARN(s.info.region, 'unlockCode');
      const alias = STABLE_NAMES.keyAlias('unlockCode');
      for (const KmsKeyId of [arn, arn.split(':key/')[1], alias, arn.replace(/key\/.*/, alias)]) {
        expect([KmsKeyId, await outcome(admin.send(new CreateSecretCommand({ Name: secretName(s, job), KmsKeyId })))]).toEqual([
          KmsKeyId,
          'AccessDeniedException',
        ]);
      }
      // Positive control: the broker itself creates it with that key.
      expect((await post(s, 'unlockCode', job)).status).toBe(201);
    }));
});

describe('what the administrator can and cannot do at the vaults', () => {
  it('reads neither a stored code nor a stored manifest, and cannot write a code; the operators can read theirs', () =>
    withSandbox('scp', async ({ s, job }) => {
      for (const kind of ['manifest', 'unlockCode'] as const) expect((await post(s, kind, job)).status).toBe(201);
      const adminSecrets = secrets(s, s.principals.administrator);
      expect(await outcome(adminSecrets.send(new GetSecretValueCommand({ SecretId: secretName(s, job) })))).toBe('AccessDeniedException');
      expect(
        await outcome(
          adminSecrets.send(new PutSecretValueCommand({ SecretId: secretName(s, job), SecretString: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' })),
        ),
      ).toBe('AccessDeniedException');
      expect(
        await outcome(
          s3(s, s.principals.administrator).send(
            new GetObjectCommand({ Bucket: s.info.vaults.manifest.bucket, Key: manifestObjectKey(job) }),
          ),
        ),
      ).toBe('AccessDenied');
      expect(await outcome(secrets(s, s.principals.unlockCode).send(new GetSecretValueCommand({ SecretId: secretName(s, job) })))).toBe(
        'allowed',
      );
      expect(
        await outcome(
          s3(s, s.principals.manifest).send(new GetObjectCommand({ Bucket: s.info.vaults.manifest.bucket, Key: manifestObjectKey(job) })),
        ),
      ).toBe('allowed');
    }));

  it("without the SCP, removes a secret's resource policy, and still cannot read it (the key); reconcile puts the policy back and reports it", () =>
    withSandbox('off', async ({ s, job, raised, logged }) => {
      expect((await post(s, 'unlockCode', job)).status).toBe(201);
      const written = s.secrets.secrets.get(secretName(s, job))!.resourcePolicy;
      const admin = secrets(s, s.principals.administrator);
      expect(await outcome(admin.send(new DeleteResourcePolicyCommand({ SecretId: secretName(s, job) })))).toBe('allowed');
      expect(await outcome(admin.send(new GetSecretValueCommand({ SecretId: secretName(s, job) })))).toBe('AccessDeniedException');
      expect(await raised()).toContainEqual(
        expect.objectContaining({ alert: 'UnlockCodeSecretGuardChanged', who: s.principals.administrator.callerArn }),
      );
      await control(s, 'reconcile', {});
      expect(s.secrets.secrets.get(secretName(s, job))!.resourcePolicy).toBe(written);
      expect(logged()).toContain(`"event":"alert:unlock-code-secret-policy-reapplied","jobId":"${job}","outcome":"missing"`);
    }));
});

describe('expired, finished and retired jobs: nothing is stored again', () => {
  it('a WithCustomer job created 400 days ago: both POSTs answer 409 CredentialsExpired and both vaults stay empty', () =>
    withSandbox('scp', async ({ s }) => {
      const { jobId } = await control(s, 'jobs', { state: 'WithCustomer', createdDaysAgo: 400 });
      for (const kind of ['manifest', 'unlockCode'] as const) {
        const answer = await post(s, kind, jobId);
        expect(answer.status).toBe(409);
        expect(answer.json().error.code).toBe('CredentialsExpired');
      }
      expect(s.s3.objects.has(manifestObjectKey(jobId))).toBe(false);
      expect(s.secrets.secrets.has(secretName(s, jobId))).toBe(false);
    }));

  it('a retired job: no operator reads it (not even the manifest version the POST returned), and a POST stores nothing again', () =>
    withSandbox('scp', async ({ s }) => {
      const { jobId } = await control(s, 'jobs', { state: 'WithCustomer', createdDaysAgo: 10 });
      const brokered = (await post(s, 'manifest', jobId)).json();
      expect((await post(s, 'unlockCode', jobId)).status).toBe(201);
      await control(s, `jobs/${jobId}/state`, { state: 'Complete' });
      await s.notifications.settled();
      await control(s, 'reconcile', {});
      const versions = () => s.s3.objects.get(manifestObjectKey(jobId))!.length;
      const before = versions();
      expect((await get(s, 'manifest', jobId)).status).toBe(404);
      expect((await get(s, 'unlockCode', jobId)).json().error.code).toBe('ScheduledForDeletion');
      const old = s3(s, s.principals.manifest).send(
        new GetObjectCommand({ Bucket: s.info.vaults.manifest.bucket, Key: manifestObjectKey(jobId), VersionId: brokered.versionId }),
      );
      expect(await outcome(old)).toBe('AccessDenied');
      for (const kind of ['manifest', 'unlockCode'] as const) {
        const answer = await post(s, kind, jobId);
        expect(answer.status).toBe(409);
        expect(answer.json().error).toMatchObject({ code: 'JobNotWithCustomer', message: expect.stringContaining('Complete') });
      }
      expect(versions()).toBe(before);
      expect(s.secrets.secrets.get(secretName(s, jobId))!.deletedDate).toBeDefined();
    }));
});

describe('a retired credential stays retired', () => {
  it("without the SCP, the administrator can neither restore the retired secret nor remove the manifest's delete marker; each attempt is alerted", () =>
    withSandbox('off', async ({ s, raised }) => {
      const { jobId } = await control(s, 'jobs', { state: 'WithCustomer', createdDaysAgo: 10 });
      for (const kind of ['manifest', 'unlockCode'] as const) expect((await post(s, kind, jobId)).status).toBe(201);
      await control(s, `jobs/${jobId}/state`, { state: 'Complete' });
      await s.notifications.settled();
      await control(s, 'reconcile', {});
      const admin = secrets(s, s.principals.administrator);
      expect(await outcome(admin.send(new RestoreSecretCommand({ SecretId: secretName(s, jobId) })))).toBe('AccessDeniedException');
      expect(s.secrets.secrets.get(secretName(s, jobId))!.deletedDate).toBeDefined();
      const marker = s.s3.objects.get(manifestObjectKey(jobId))!.at(-1)!;
      expect(marker.deleteMarker).toBe(true);
      const unmark = () =>
        s3(s, s.principals.administrator).send(
          new DeleteObjectCommand({ Bucket: s.info.vaults.manifest.bucket, Key: manifestObjectKey(jobId), VersionId: marker.versionId }),
        );
      expect(await outcome(unmark())).toBe('AccessDenied');
      expect((await get(s, 'manifest', jobId)).status).toBe(404);
      // The read says what a POST can do for a job that is not WithCustomer: nothing (409).
      expect((await get(s, 'unlockCode', jobId)).json().error).toMatchObject({
        code: 'ScheduledForDeletion',
        message: expect.stringMatching(/while the job is WithCustomer.*Complete or Cancelled job stays retired/),
      });
      expect((await post(s, 'unlockCode', jobId)).json().error.code).toBe('JobNotWithCustomer');
      expect(await raised()).toContainEqual(
        expect.objectContaining({
          alert: 'UnlockCodeSecretGuardChanged',
          action: 'RestoreSecret',
          who: s.principals.administrator.callerArn,
        }),
      );
      // Positive control: with the secret's policy removed first (itself alerted), the restore goes through.
      expect(await outcome(admin.send(new DeleteResourcePolicyCommand({ SecretId: secretName(s, jobId) })))).toBe('allowed');
      expect(await outcome(admin.send(new RestoreSecretCommand({ SecretId: secretName(s, jobId) })))).toBe('allowed');
    }));
});

describe('the stand-ins refuse what AWS refuses', () => {
  it('a version id outside 32-64 characters is a ValidationException, whoever asks; a UUID-shaped one is accepted', () =>
    withSandbox('off', async ({ s, job }) => {
      expect((await post(s, 'unlockCode', job)).status).toBe(201);
      const operator = secrets(s, s.principals.unlockCode);
      for (const VersionId of ['short', 'x'.repeat(65)]) {
        expect(await outcome(operator.send(new GetSecretValueCommand({ SecretId: secretName(s, job), VersionId })))).toBe(
          'ValidationException',
        );
      }
      const fn = secrets(s, s.principals.unlockCodeFunction);
      const putAs = (ClientRequestToken: string) =>
        outcome(
          fn.send(
            new PutSecretValueCommand({ SecretId: secretName(s, job), SecretString: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', ClientRequestToken }),
          ),
        );
      expect(await putAs('tok-1')).toBe('ValidationException');
      expect(s.secrets.secrets.get(secretName(s, job))!.versions.has('tok-1')).toBe(false);
      expect(await putAs('00000000-0000-4000-8000-000000000001')).toBe('allowed');
    }));

  it('PUT ?tagging is PutObjectTagging, not a new manifest version: refused to the administrator, never stored', () =>
    withSandbox('off', async ({ s, job }) => {
      expect((await post(s, 'manifest', job)).status).toBe(201);
      const versions = () => s.s3.objects.get(manifestObjectKey(job))!.length;
      const before = versions();
      const tag = (c: Credentials) =>
        s3(s, c).send(
          new PutObjectTaggingCommand({
            Bucket: s.info.vaults.manifest.bucket,
            Key: manifestObjectKey(job),
            Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
          }),
        );
      expect(await outcome(tag(s.principals.administrator))).toBe('AccessDenied');
      expect(await outcome(tag(s.principals.manifestFunction))).toBe('NotImplemented');
      expect(versions()).toBe(before);
    }));
});

describe('every read is announced in GET /__sandbox/alerts', () => {
  it('a GET of each credential through the API raises one alert naming the operator session and the job; the manifest read too', () =>
    withSandbox('scp', async ({ s, job, raised }) => {
      for (const kind of ['manifest', 'unlockCode'] as const) expect((await post(s, kind, job)).status).toBe(201);
      const before = (await raised()).length;
      expect((await get(s, 'unlockCode', job)).status).toBe(200);
      expect((await get(s, 'manifest', job)).status).toBe(200);
      const announced = (await raised()).slice(before);
      expect(announced).toEqual([
        expect.objectContaining({
          alert: 'UnlockCodeRead',
          who: s.principals.unlockCode.callerArn,
          sessionIssuer: s.principals.unlockCode.roleArn,
          resource: secretName(s, job),
        }),
        expect.objectContaining({
          alert: 'ManifestReadDirectly',
          who: s.principals.manifest.callerArn,
          sessionIssuer: s.principals.manifest.roleArn,
          resource: manifestObjectKey(job),
        }),
      ]);
      expect(JSON.stringify(announced)).not.toContain(s.snowball.jobs.get(job)!.unlockCode);
    }));
});
