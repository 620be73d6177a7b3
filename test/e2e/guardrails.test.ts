import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetJobManifestCommand, GetJobUnlockCodeCommand, SnowballClient } from '@aws-sdk/client-snowball';
import { alertRules, alertTemplate } from '../../policies/alert-rules';
import { routePath } from '../../contract/api';
import { unlockCodeSecretName } from '../../contract/vault-layout';
import type { PrincipalName } from '../../sandbox/identities';
import type { Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';
import { sandboxPerMode } from '../helpers/shared-sandbox';
import { signedCall } from '../helpers/signed-client';
import { PLACEHOLDER_SUBJECTS } from '../fixtures/alert-subjects';

/**
 * The guardrails in the sandbox: the SCP the guardrails stack deploys refuses the outsider the
 * credentials at Snowball, and the deployed detection rules raise the same alert either way.
 */
const logs = captureLogs();
/** One sandbox per mode for the file; each test on a fresh job, seeing only what it raised (see the helper). */
const withSandbox = sandboxPerMode(logs);

const snowball = (s: Sandbox, who: PrincipalName) =>
  new SnowballClient({ region: s.info.region, endpoint: s.info.snowballEndpoint, credentials: s.principals[who], maxAttempts: 1 });
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => 'allowed',
    (err: Error) => `${err.name}: ${err.message}`,
  );

describe('with the guardrails SCP (SANDBOX_GUARDRAILS=scp, the default)', () => {
  it("refuses the outsider's GetJobUnlockCode and GetJobManifest by the SCP, and alerts on each, naming who, what and which job", () =>
    withSandbox('scp', async ({ s, job, raised, logged }) => {
      const unlock = await outcome(snowball(s, 'outsider').send(new GetJobUnlockCodeCommand({ JobId: job })));
      expect(unlock).toMatch(/^AccessDeniedException: .*explicit deny in a service control policy/);
      expect(await outcome(snowball(s, 'outsider').send(new GetJobManifestCommand({ JobId: job })))).toMatch(/service control policy/);
      const alerts = await raised();
      expect(alerts.map((a) => a.alert)).toEqual(['UnlockCodeFetchedAroundBroker', 'ManifestFetchedAroundBroker']);
      expect(alerts[0]).toMatchObject({
        who: s.principals.outsider.callerArn,
        action: 'GetJobUnlockCode',
        service: 'snowball.amazonaws.com',
        resource: job,
        outcome: 'AccessDeniedException',
        account: '000000000000',
      });
      expect(logged()).toContain('"sandbox":"alert"');
    }));

  it('lets each function broker its own half, raising no alert', () =>
    withSandbox('scp', async ({ s, job, raised }) => {
      for (const [kind, who] of [
        ['manifest', s.principals.manifest],
        ['unlockCode', s.principals.unlockCode],
      ] as const) {
        const answer = await signedCall(`${s.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job)}`, who, s.info.region, {
          method: 'POST',
        });
        expect(answer.status).toBe(201);
      }
      expect(await raised()).toEqual([]);
    }));

  it('announces every read of an unlock-code secret, by its operator and by anyone else (refused or not), and never carries the code', () =>
    withSandbox('scp', async ({ s, job, raised }) => {
      const url = `${s.info.apiUrl.replace(/\/$/, '')}${routePath('unlockCode', job)}`;
      expect((await signedCall(url, s.principals.unlockCode, s.info.region, { method: 'POST' })).status).toBe(201);
      const read = (who: PrincipalName) =>
        outcome(
          new SecretsManagerClient({
            region: s.info.region,
            endpoint: s.info.vaults.unlockCode.secretsManagerEndpoint,
            credentials: s.principals[who],
            maxAttempts: 1,
          }).send(new GetSecretValueCommand({ SecretId: unlockCodeSecretName(s.info.vaults.unlockCode.secretPrefix, job) })),
        );
      expect(await read('unlockCode')).toBe('allowed');
      expect(await read('outsider')).toMatch(/^AccessDeniedException/);
      const alerts = await raised();
      expect(alerts.map((a) => [a.alert, a.who])).toEqual([
        ['UnlockCodeRead', s.principals.unlockCode.callerArn],
        ['UnlockCodeReadOutsideBroker', s.principals.outsider.callerArn],
      ]);
      expect(JSON.stringify(alerts)).not.toContain(s.snowball.jobs.get(job)!.unlockCode);
    }));
});

/** What an account administrator tries at the stand-ins, and the alert each attempt raises. */
function administratorAttempts(s: Sandbox, job: string) {
  const secrets = new SecretsManagerClient({
    region: s.info.region,
    endpoint: s.info.vaults.unlockCode.secretsManagerEndpoint,
    credentials: s.principals.administrator,
    maxAttempts: 1,
  });
  const s3 = new S3Client({
    region: s.info.region,
    endpoint: s.info.vaults.manifest.s3Endpoint,
    forcePathStyle: true,
    credentials: s.principals.administrator,
    maxAttempts: 1,
  });
  const secretId = unlockCodeSecretName(s.info.vaults.unlockCode.secretPrefix, job);
  const manifest = () => s.s3.objects.get(`manifests/${job}/manifest.bin`)!.at(-1)!.versionId;
  const open =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}';
  return [
    [
      'takes the unlock code from Snowball',
      'UnlockCodeFetchedAroundBroker',
      () => snowball(s, 'administrator').send(new GetJobUnlockCodeCommand({ JobId: job })),
    ],
    [
      'takes the manifest from Snowball',
      'ManifestFetchedAroundBroker',
      () => snowball(s, 'administrator').send(new GetJobManifestCommand({ JobId: job })),
    ],
    [
      'opens the vault secret to everyone',
      'UnlockCodeSecretGuardChanged',
      () => secrets.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: open })),
    ],
    [
      "deletes the vault secret's policy",
      'UnlockCodeSecretGuardChanged',
      () => secrets.send(new DeleteResourcePolicyCommand({ SecretId: secretId })),
    ],
    ['deletes the vault secret', 'UnlockCodeSecretGuardChanged', () => secrets.send(new DeleteSecretCommand({ SecretId: secretId }))],
    [
      'creates a secret under the vault prefix',
      'UnlockCodeSecretCreatedAroundBroker',
      () =>
        secrets.send(new CreateSecretCommand({ Name: `${s.info.vaults.unlockCode.secretPrefix}JID00000000-0000-0000-0000-000000000000` })),
    ],
    [
      'deletes a manifest version for good',
      'ManifestVersionDeleted',
      () =>
        s3.send(
          new DeleteObjectCommand({ Bucket: s.info.vaults.manifest.bucket, Key: `manifests/${job}/manifest.bin`, VersionId: manifest() }),
        ),
    ],
  ] as const;
}

async function brokerBoth(s: Sandbox, job: string) {
  for (const [kind, who] of [
    ['manifest', s.principals.manifest],
    ['unlockCode', s.principals.unlockCode],
  ] as const) {
    await signedCall(`${s.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job)}`, who, s.info.region, { method: 'POST' });
  }
}

describe('the account administrator (AdministratorAccess at the stand-ins)', () => {
  it('with the SCP: is refused every path around the split by the SCP, and every attempt is alerted naming it', () =>
    withSandbox('scp', async ({ s, job, raised }) => {
      await brokerBoth(s, job);
      const before = (await raised()).length;
      const attempts = administratorAttempts(s, job);
      for (const [what, , attempt] of attempts) {
        expect([what, await outcome(attempt())]).toEqual([what, expect.stringMatching(/explicit deny in a service control policy/)]);
      }
      const alerts = (await raised()).slice(before);
      expect(alerts.map((a) => a.alert)).toEqual(attempts.map(([, alert]) => alert));
      for (const alert of alerts) expect(alert.who).toBe(s.principals.administrator.callerArn);
    }));

  it('without the SCP: the same calls go through (the vaults stop only a version delete), and are alerted all the same', () =>
    withSandbox('off', async ({ s, job, raised }) => {
      await brokerBoth(s, job);
      const before = (await raised()).length;
      const attempts = administratorAttempts(s, job);
      // The bucket policy refuses deleting a version (a retirement would be undone) to all but the function, deploys and break-glass.
      const byTheVault = new Set(['deletes a manifest version for good']);
      for (const [what, , attempt] of attempts) {
        expect([what, (await outcome(attempt())).split(':')[0]]).toEqual([what, byTheVault.has(what) ? 'AccessDenied' : 'allowed']);
      }
      expect((await raised()).slice(before).map((a) => a.alert)).toEqual(attempts.map(([, alert]) => alert));
    }));

  it("cannot read either vault directly even without the SCP: the vaults' own policies refuse it", () =>
    withSandbox('off', async ({ s, job }) => {
      await brokerBoth(s, job);
      const secrets = new SecretsManagerClient({
        region: s.info.region,
        endpoint: s.info.vaults.unlockCode.secretsManagerEndpoint,
        credentials: s.principals.administrator,
        maxAttempts: 1,
      });
      expect(
        await outcome(
          secrets.send(new GetSecretValueCommand({ SecretId: unlockCodeSecretName(s.info.vaults.unlockCode.secretPrefix, job) })),
        ),
      ).toMatch(/^AccessDeniedException/);
    }));
});

describe('without the guardrails (SANDBOX_GUARDRAILS=off)', () => {
  it('shows the hole the SCP closes: the outsider takes the unlock code straight from Snowball, and is still reported', () =>
    withSandbox('off', async ({ s, job, raised }) => {
      const answer = await snowball(s, 'outsider').send(new GetJobUnlockCodeCommand({ JobId: job }));
      expect(answer.UnlockCode).toBe(s.snowball.jobs.get(job)!.unlockCode);
      const [alert] = await raised();
      expect(alert).toMatchObject({ alert: 'UnlockCodeFetchedAroundBroker', who: s.principals.outsider.callerArn, outcome: '' });
      expect(JSON.stringify(alert)).not.toContain(answer.UnlockCode!);
    }));
});

describe('the alert shape', () => {
  it('is exactly the fields of the deployed input transformer template', () =>
    withSandbox('scp', async ({ s, job, raised }) => {
      await outcome(snowball(s, 'outsider').send(new GetJobUnlockCodeCommand({ JobId: job })));
      const [alert] = await raised();
      const rule = alertRules(PLACEHOLDER_SUBJECTS).find((r) => r.id === alert.alert)!;
      const template = JSON.parse(alertTemplate(rule).replace(/<\w+>/g, ''));
      expect(Object.keys(alert)).toEqual(Object.keys(template));
      expect(alert.title).toBe(rule.title);
    }));
});
