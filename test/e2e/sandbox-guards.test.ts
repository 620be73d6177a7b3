import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'node:http';
import { routePath } from '../../contract/api';
import { DEFAULTS } from '../../contract/deployment';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';

/** The sandbox no more lenient than AWS, and no easier to drive from a web page than from this machine. */
captureLogs();
let sandbox: Sandbox;
let port: number;
let jobs: string[];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  port = Number(new URL(sandbox.info.apiUrl).port);
  jobs = sandbox.info.jobs.filter((j) => j.state === 'WithCustomer').map((j) => j.jobId);
  for (const job of jobs) {
    const url = `${sandbox.info.apiUrl.replace(/\/$/, '')}${routePath('unlockCode', job)}`;
    expect((await signedCall(url, sandbox.principals.unlockCode, sandbox.info.region, { method: 'POST' })).status).toBe(201);
  }
});
afterAll(() => sandbox.stop());
afterEach(() => sandbox.faults.set([]));

/** A raw HTTP request to the sandbox's port, with exactly these headers (Host included). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
  to = port,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: to,
        method,
        path,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        setHost: false,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe("the control routes answer only this machine's own tools", () => {
  const THROTTLE = JSON.stringify({ faults: ['throttle'] });

  it("refuse a cross-site text/plain POST with a foreign Origin (a web page's form or fetch), changing nothing", async () => {
    const answer = await raw(
      'POST',
      '/__sandbox/faults',
      { host: `127.0.0.1:${port}`, origin: 'https://attacker.example', 'content-type': 'text/plain' },
      THROTTLE,
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe('ForeignOrigin');
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('refuse a POST that is not application/json, even from this machine', async () => {
    const answer = await raw('POST', '/__sandbox/faults', { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' }, THROTTLE);
    expect(answer.status).toBe(415);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it.each([
    ['GET', '/__sandbox/state', ''],
    ['POST', '/__sandbox/faults', THROTTLE],
  ])('refuse %s %s for a foreign Host (DNS rebinding)', async (method, path, body) => {
    const answer = await raw(method, path, { host: `rebound.attacker.example:${port}`, 'content-type': 'application/json' }, body);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe('ForeignHost');
    expect(sandbox.faults.list()).toEqual([]);
  });

  it.each(['127.0.0.1', 'localhost'])('answer a same-origin JSON request to %s:PORT (the positive control)', async (name) => {
    const answer = await raw(
      'POST',
      '/__sandbox/faults',
      { host: `${name}:${port}`, origin: `http://${name}:${port}`, 'content-type': 'application/json; charset=utf-8' },
      THROTTLE,
    );
    expect(answer.status).toBe(200);
    expect(sandbox.faults.list()).toEqual(['throttle']);
    expect((await raw('GET', '/__sandbox/state', { host: `${name}:${port}` })).status).toBe(200);
  });
});

describe('the JSON stand-ins check the signed payload hash against the body', () => {
  /** A GetSecretValue signed (x-amz-content-sha256 included) for `signedFor`, sent with the body for `sentFor`. */
  async function getSecretValue(signedFor: string, sentFor: string) {
    const endpoint = new URL(sandbox.info.vaults.unlockCode.secretsManagerEndpoint);
    const body = (job: string) => JSON.stringify({ SecretId: `${DEFAULTS.secretPrefix}${job}` });
    const signer = new SignatureV4({
      service: 'secretsmanager',
      region: sandbox.info.region,
      credentials: sandbox.principals.unlockCode,
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: endpoint.hostname,
        port: Number(endpoint.port),
        path: '/',
        headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body: body(signedFor),
      }),
    );
    expect(signed.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'content-length'));
    return raw('POST', '/', headers, body(sentFor), Number(endpoint.port));
  }

  it('refuse a request signed for one secret and sent for another', async () => {
    const answer = await getSecretValue(jobs[0], jobs[1]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).__type).toBe('InvalidSignatureException');
    expect(answer.body).not.toContain(sandbox.snowball.jobs.get(jobs[1])!.unlockCode);
  });

  it('answer the same request sent with the body it was signed for (the positive control)', async () => {
    const answer = await getSecretValue(jobs[1], jobs[1]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).SecretString).toContain(sandbox.snowball.jobs.get(jobs[1])!.unlockCode);
  });
});

describe('DescribeSecret', () => {
  it('answers CreatedDate and LastChangedDate, as AWS does, and moves LastChangedDate on a change', async () => {
    const client = new SecretsManagerClient({
      region: sandbox.info.region,
      endpoint: sandbox.info.vaults.unlockCode.secretsManagerEndpoint,
      credentials: sandbox.principals.unlockCode,
    });
    const SecretId = `${DEFAULTS.secretPrefix}${jobs[0]}`;
    const first = await client.send(new DescribeSecretCommand({ SecretId }));
    expect(first.CreatedDate).toBeInstanceOf(Date);
    expect(first.LastChangedDate).toBeInstanceOf(Date);
    expect(first.LastChangedDate!.getTime()).toBeGreaterThanOrEqual(first.CreatedDate!.getTime());
    const secret = sandbox.secrets.secrets.get(SecretId)!;
    secret.lastChangedDate = new Date(Date.now() - 60_000);
    expect(sandbox.secrets.scheduleDeletion(SecretId)).toBe(true);
    const after = await client.send(new DescribeSecretCommand({ SecretId }));
    expect(after.LastChangedDate!.getTime()).toBeGreaterThan(Date.now() - 30_000);
    client.destroy();
  });
});
