import { createHash } from 'node:crypto';
import { routePath } from '../../contract/api';
import { DEFAULTS } from '../../contract/deployment';
import { manifestObjectKey } from '../../contract/vault-layout';
import { type OperatorKind } from '../../contract/vaults';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { SandboxPrincipal } from '../../sandbox/identities';
import { captureLogs } from '../helpers/log-capture';
import { curlCall, signedCall } from '../helpers/signed-client';

const logs = captureLogs();

let sandbox: Sandbox;
let job: string;
let notReady: string;
const UNKNOWN = 'JID99999999-9999-4999-8999-999999999999';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  job = sandbox.info.jobs.filter((j) => j.state === 'WithCustomer')[0].jobId;
  notReady = sandbox.info.jobs.find((j) => j.state === 'InTransitToCustomer')!.jobId;
});
afterAll(() => sandbox.stop());

const url = (kind: OperatorKind, jobId = job) => `${sandbox.info.apiUrl.replace(/\/$/, '')}${routePath(kind, jobId)}`;
const call = (who: SandboxPrincipal | undefined, kind: OperatorKind, method: 'GET' | 'POST', jobId = job, accept?: string) =>
  signedCall(url(kind, jobId), who, sandbox.info.region, { method, accept });
const demo = () => sandbox.snowball.jobs.get(job)!;
const versionsOf = (jobId: string) => sandbox.s3.objects.get(manifestObjectKey(jobId)) ?? [];
const secretOf = (jobId: string) => sandbox.secrets.secrets.get(`${DEFAULTS.secretPrefix}${jobId}`);

describe('the whole mission, signed by the SDK', () => {
  it('a manifest operator brokers the manifest, then downloads the same bytes with their SHA-256', async () => {
    const m = sandbox.principals.manifest;
    const post = await call(m, 'manifest', 'POST');
    expect(post.status).toBe(201);
    const stored = post.json();
    expect(stored).toMatchObject({ jobId: job, unchanged: false, sha256: createHash('sha256').update(demo().manifest).digest('hex') });
    const get = await call(m, 'manifest', 'GET', job, 'application/octet-stream');
    expect(get.status).toBe(200);
    expect(get.body.equals(demo().manifest)).toBe(true);
    expect(get.headers['x-manifest-sha256']).toBe(stored.sha256);
    expect(get.headers['cache-control']).toBe('no-store');
  });

  it('an unlock-code operator brokers the code without seeing it, then reads it', async () => {
    const u = sandbox.principals.unlockCode;
    const post = await call(u, 'unlockCode', 'POST');
    expect(post.status).toBe(201);
    expect(post.text).not.toContain(demo().unlockCode);
    const get = await call(u, 'unlockCode', 'GET');
    expect(get.json()).toEqual({ jobId: job, unlockCode: demo().unlockCode });
    expect(get.headers['cache-control']).toBe('no-store');
  });

  it('brokering twice changes nothing: unchanged, no new object version or secret version', async () => {
    const [m, u] = [
      await call(sandbox.principals.manifest, 'manifest', 'POST'),
      await call(sandbox.principals.unlockCode, 'unlockCode', 'POST'),
    ];
    expect([m.status, u.status]).toEqual([200, 200]);
    expect([m.json().unchanged, u.json().unchanged]).toEqual([true, true]);
    expect(versionsOf(job)).toHaveLength(1);
    expect(secretOf(job)!.versions.size).toBe(1);
  });
});

describe('the same mission through curl --aws-sigv4', () => {
  it('brokers and reads both secrets for their own operators', async () => {
    const { manifest: m, unlockCode: u } = sandbox.principals;
    const region = sandbox.info.region;
    expect((await curlCall(url('manifest'), m, region, 'POST')).status).toBe(200);
    const bytes = await curlCall(url('manifest'), m, region, 'GET', 'application/octet-stream');
    expect(bytes.body.equals(demo().manifest)).toBe(true);
    expect((await curlCall(url('unlockCode'), u, region, 'POST')).json()).toMatchObject({ unchanged: true });
    expect((await curlCall(url('unlockCode'), u, region, 'GET')).json().unlockCode).toBe(demo().unlockCode);
  });

  it('is refused across vaults', async () => {
    const answer = await curlCall(url('unlockCode'), sandbox.principals.manifest, sandbox.info.region, 'GET');
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain(demo().unlockCode);
  });
});

describe('refused cells of the access matrix', () => {
  const cells: [string, () => SandboxPrincipal, OperatorKind][] = [
    ['the manifest operator on unlock codes', () => sandbox.principals.manifest, 'unlockCode'],
    ['the unlock-code operator on manifests', () => sandbox.principals.unlockCode, 'manifest'],
    ['an outsider on manifests', () => sandbox.principals.outsider, 'manifest'],
    ['an outsider on unlock codes', () => sandbox.principals.outsider, 'unlockCode'],
  ];
  it.each(cells)('%s: 403 AccessDenied for GET and POST, no secret in the body', async (_what, who, kind) => {
    for (const method of ['GET', 'POST'] as const) {
      const answer = await call(who(), kind, method, job, 'application/octet-stream');
      expect(answer.status).toBe(403);
      expect(answer.json().error.code).toBe('AccessDenied');
      expect(answer.text).not.toContain(demo().unlockCode);
      expect(answer.body.includes(demo().manifest.subarray(0, 64))).toBe(false);
    }
  });
});

describe('signatures', () => {
  it('refuses an unsigned request with 403 NotSigned', async () => {
    const answer = await call(undefined, 'unlockCode', 'GET');
    expect(answer.status).toBe(403);
    expect(answer.json().error.code).toBe('NotSigned');
  });

  it('refuses a signature made with the wrong secret key', async () => {
    const wrong = { ...sandbox.principals.unlockCode, secretAccessKey: 'not-the-secret' };
    const answer = await call(wrong, 'unlockCode', 'GET');
    expect(answer.status).toBe(403);
    expect(answer.json().error.code).toBe('InvalidSignature');
    expect(answer.text).not.toContain(demo().unlockCode);
  });

  it('refuses a request changed after signing', async () => {
    const answer = await signedCall(url('manifest'), sandbox.principals.manifest, sandbox.info.region, {
      tamper: (u) => (u.pathname = u.pathname.replace(job, sandbox.info.jobs[1].jobId)),
    });
    expect(answer.json().error.code).toBe('InvalidSignature');
  });

  it('refuses a signature older than 15 minutes, and one for another region', async () => {
    const old = await signedCall(url('manifest'), sandbox.principals.manifest, sandbox.info.region, {
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    expect(old.status).toBe(403);
    const elsewhere = await signedCall(url('manifest'), sandbox.principals.manifest, 'eu-west-1');
    expect(elsewhere.status).toBe(403);
  });
});

describe('job ids and job states', () => {
  it.each([
    ['malformed', 'jid0e5a1c2f-7b3d-4c1e-9a8b-5d6f7e8a9b01'],
    ['path-traversing', '..%2F..%2Fsecrets'],
    ['oversized', `JID${'0'.repeat(5000)}`],
  ])('answers 400 InvalidJobId to a %s job id, before any AWS call', async (_what, raw) => {
    const answer = await signedCall(`${sandbox.info.apiUrl}jobs/${raw}/manifest`, sandbox.principals.manifest, sandbox.info.region, {
      method: 'POST',
    });
    expect(answer.status).toBe(400);
    expect(answer.json().error.code).toBe('InvalidJobId');
  });

  it('answers 404 JobNotFound for a job Snowball does not know', async () => {
    const answer = await call(sandbox.principals.unlockCode, 'unlockCode', 'POST', UNKNOWN);
    expect(answer.status).toBe(404);
    expect(answer.json().error.code).toBe('JobNotFound');
  });

  it('answers 409 naming the state of a job that is not WithCustomer, and stores nothing', async () => {
    const answer = await call(sandbox.principals.manifest, 'manifest', 'POST', notReady);
    expect(answer.status).toBe(409);
    expect(answer.json().error.message).toContain('InTransitToCustomer');
    expect(versionsOf(notReady)).toHaveLength(0);
  });

  it('answers 404 NothingStored to a read before any broker', async () => {
    const answer = await call(sandbox.principals.unlockCode, 'unlockCode', 'GET', notReady);
    expect(answer.status).toBe(404);
    expect(answer.json().error.code).toBe('NothingStored');
  });
});

describe('log hygiene of the whole sandbox run', () => {
  it('announced every read as the reader, and never logged an unlock code, a presigned URL or manifest bytes', () => {
    const text = logs.text();
    const reads = sandbox.trail.alerts.filter((a) => a.alert === 'UnlockCodeRead');
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(read).toMatchObject({
        who: sandbox.principals.unlockCode.callerArn,
        sessionIssuer: sandbox.principals.unlockCode.roleArn,
        resource: expect.stringContaining('snowball/unlock-code/JID'),
      });
      expect(JSON.stringify(read)).not.toContain(demo().unlockCode);
    }
    expect(text).not.toContain(demo().unlockCode);
    expect(text).not.toContain('X-Amz-Signature');
    expect(text).not.toContain(demo().manifest.toString('base64').slice(0, 40));
  });
});
