import { routePath } from '../../contract/api';
import { DEFAULTS } from '../../contract/deployment';
import { manifestObjectKey } from '../../contract/vault-layout';
import { type OperatorKind } from '../../contract/vaults';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';

captureLogs();
let sandbox: Sandbox;
let job: string;
const N = 50;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  job = sandbox.info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
});
afterAll(() => sandbox.stop());

function burst(kind: OperatorKind) {
  const who = sandbox.principals[kind];
  const url = `${sandbox.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job)}`;
  return Promise.all(Array.from({ length: N }, () => signedCall(url, who, sandbox.info.region, { method: 'POST' })));
}

describe(`${N} simultaneous POSTs for one job`, () => {
  it('store exactly one manifest version; exactly one answer stored it, all name the same version', async () => {
    const answers = await burst('manifest');
    expect(answers.every((a) => a.status === 200 || a.status === 201)).toBe(true);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const bodies = answers.map((a) => a.json());
    expect(new Set(bodies.map((b) => b.versionId)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.sha256)).size).toBe(1);
    expect(bodies.filter((b) => !b.unchanged)).toHaveLength(1);
    expect(sandbox.s3.objects.get(manifestObjectKey(job))).toHaveLength(1);
  });

  it('store exactly one unlock-code secret with one version, all answers naming it', async () => {
    const answers = await burst('unlockCode');
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const bodies = answers.map((a) => a.json());
    expect(new Set(bodies.map((b) => b.versionId)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.secretArn)).size).toBe(1);
    const secret = sandbox.secrets.secrets.get(`${DEFAULTS.secretPrefix}${job}`)!;
    expect(sandbox.secrets.secrets.size).toBe(1);
    expect(secret.versions.size).toBe(1);
    expect([...secret.versions.values()][0].value).toBe(sandbox.snowball.jobs.get(job)!.unlockCode);
    expect(secret.resourcePolicy).toContain('OnlyTheOperatorReadsTheValue');
  });
});
