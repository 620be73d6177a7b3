import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetJobManifestCommand, GetJobUnlockCodeCommand, SnowballClient } from '@aws-sdk/client-snowball';
import { alertRules, alertTemplate } from '../../lib/alert-rules';
import { routePath, unlockCodeSecretName } from '../../lib/contract';
import type { PrincipalName } from '../../sandbox/identities';
import { startSandbox, type GuardrailsMode, type Sandbox } from '../../sandbox/sandbox';
import type { Alert } from '../../sandbox/trail';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';

/**
 * The guardrails in the sandbox: the SCP the guardrails stack deploys refuses the outsider the
 * credentials at Snowball, and the deployed detection rules raise the same alert either way.
 */
const logs = captureLogs();

async function withSandbox(mode: GuardrailsMode, body: (sandbox: Sandbox) => Promise<void>) {
  const sandbox = await startSandbox({ port: 0, guardrails: mode });
  try {
    await body(sandbox);
  } finally {
    await sandbox.stop();
  }
}

const job = (s: Sandbox) => s.info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
const snowball = (s: Sandbox, who: PrincipalName) =>
  new SnowballClient({ region: s.info.region, endpoint: s.info.snowballEndpoint, credentials: s.principals[who], maxAttempts: 1 });
const outcome = (call: Promise<unknown>) => call.then(() => 'allowed', (err: Error) => `${err.name}: ${err.message}`);
const alertsOf = async (s: Sandbox): Promise<Alert[]> => (await (await fetch(`${s.info.adminUrl}alerts`)).json()).alerts;

describe('with the guardrails SCP (SANDBOX_GUARDRAILS=scp, the default)', () => {
  it("refuses the outsider's GetJobUnlockCode and GetJobManifest by the SCP, and alerts on each, naming who, what and which job", () =>
    withSandbox('scp', async (s) => {
      const unlock = await outcome(snowball(s, 'outsider').send(new GetJobUnlockCodeCommand({ JobId: job(s) })));
      expect(unlock).toMatch(/^AccessDeniedException: .*explicit deny in a service control policy/);
      expect(await outcome(snowball(s, 'outsider').send(new GetJobManifestCommand({ JobId: job(s) })))).toMatch(/service control policy/);
      const alerts = await alertsOf(s);
      expect(alerts.map((a) => a.alert)).toEqual(['UnlockCodeFetchedAroundBroker', 'ManifestFetchedAroundBroker']);
      expect(alerts[0]).toMatchObject({
        who: s.principals.outsider.callerArn,
        action: 'GetJobUnlockCode',
        service: 'snowball.amazonaws.com',
        resource: job(s),
        outcome: 'AccessDeniedException',
        account: '000000000000',
      });
      expect(logs.text()).toContain('"sandbox":"alert"');
    }));

  it('lets each function broker its own half, raising no alert', () =>
    withSandbox('scp', async (s) => {
      for (const [kind, who] of [['manifest', s.principals.manifest], ['unlockCode', s.principals.unlockCode]] as const) {
        const answer = await signedCall(`${s.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job(s))}`, who, s.info.region, { method: 'POST' });
        expect(answer.status).toBe(201);
      }
      expect(await alertsOf(s)).toEqual([]);
    }));

  it('announces every read of an unlock-code secret, by its operator and by anyone else (refused or not), and never carries the code', () =>
    withSandbox('scp', async (s) => {
      const url = `${s.info.apiUrl.replace(/\/$/, '')}${routePath('unlockCode', job(s))}`;
      expect((await signedCall(url, s.principals.unlockCode, s.info.region, { method: 'POST' })).status).toBe(201);
      const read = (who: PrincipalName) =>
        outcome(
          new SecretsManagerClient({ region: s.info.region, endpoint: s.info.vaults.unlockCode.secretsManagerEndpoint, credentials: s.principals[who], maxAttempts: 1 }).send(
            new GetSecretValueCommand({ SecretId: unlockCodeSecretName(s.info.vaults.unlockCode.secretPrefix, job(s)) }),
          ),
        );
      expect(await read('unlockCode')).toBe('allowed');
      expect(await read('outsider')).toMatch(/^AccessDeniedException/);
      const alerts = await alertsOf(s);
      expect(alerts.map((a) => [a.alert, a.who])).toEqual([
        ['UnlockCodeRead', s.principals.unlockCode.callerArn],
        ['UnlockCodeReadOutsideBroker', s.principals.outsider.callerArn],
      ]);
      expect(JSON.stringify(alerts)).not.toContain(s.snowball.jobs.get(job(s))!.unlockCode);
    }));
});

describe('without the guardrails (SANDBOX_GUARDRAILS=off)', () => {
  it('shows the hole the SCP closes: the outsider takes the unlock code straight from Snowball, and is still reported', () =>
    withSandbox('off', async (s) => {
      const answer = await snowball(s, 'outsider').send(new GetJobUnlockCodeCommand({ JobId: job(s) }));
      expect(answer.UnlockCode).toBe(s.snowball.jobs.get(job(s))!.unlockCode);
      const [alert] = await alertsOf(s);
      expect(alert).toMatchObject({ alert: 'UnlockCodeFetchedAroundBroker', who: s.principals.outsider.callerArn, outcome: '' });
      expect(JSON.stringify(alert)).not.toContain(answer.UnlockCode!);
    }));
});

describe('the alert shape', () => {
  it('is exactly the fields of the deployed input transformer template', () =>
    withSandbox('scp', async (s) => {
      await outcome(snowball(s, 'outsider').send(new GetJobUnlockCodeCommand({ JobId: job(s) })));
      const [alert] = await alertsOf(s);
      const rule = alertRules({ manifestFunctionRoleArn: '', unlockCodeFunctionRoleArn: '', unlockCodeOperatorRoleArn: '', vaultKeyArns: [], manifestBucketName: '', secretPrefix: 'p/' }).find((r) => r.id === alert.alert)!;
      const template = JSON.parse(alertTemplate(rule).replace(/<\w+>/g, ''));
      expect(Object.keys(alert)).toEqual(Object.keys(template));
      expect(alert.title).toBe(rule.title);
    }));
});
