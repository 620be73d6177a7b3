import { request } from 'node:http';
import { routePath } from '../../contract/api';
import { type OperatorKind } from '../../contract/vaults';
import { GATEWAY_MAX_BODY_BYTES } from '../../sandbox/gateway';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { captureLogs } from '../helpers/log-capture';
import { curlCall, signedCall } from '../helpers/signed-client';

captureLogs();
let sandbox: Sandbox;
let job: string;
const access: Record<string, unknown>[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, accessLog: (line) => access.push(line) });
  job = sandbox.info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
});
afterAll(() => sandbox.stop());

const url = (kind: OperatorKind) => `${sandbox.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job)}`;
const region = () => sandbox.info.region;
const control = (path: string, body?: string) =>
  fetch(`${sandbox.info.adminUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });

describe('the API checks signatures as strictly as API Gateway', () => {
  it('refuses a signature whose signed headers leave out host: 403 InvalidSignature', async () => {
    const answer = await signedCall(url('unlockCode'), sandbox.principals.unlockCode, region(), { unsignedHost: true });
    expect(answer.status).toBe(403);
    expect(answer.json().error.code).toBe('InvalidSignature');
  });

  it('refuses a validly signed request whose session token belongs to other credentials', async () => {
    const swapped = { ...sandbox.principals.unlockCode, sessionToken: sandbox.principals.manifest.sessionToken };
    const answer = await signedCall(url('unlockCode'), swapped, region());
    expect(answer.status).toBe(403);
    expect(answer.json().error.code).toBe('InvalidSignature');
  });

  it('refuses the operator key and secret without their session token', async () => {
    const answer = await signedCall(url('unlockCode'), { ...sandbox.principals.unlockCode, sessionToken: undefined }, region());
    expect(answer.status).toBe(403);
  });
});

describe('request bodies', () => {
  it(`answers 413 RequestTooLarge in the broker's shape to a body over ${GATEWAY_MAX_BODY_BYTES} bytes, and logs the answer`, async () => {
    const seen = access.length;
    const answer = await signedCall(url('manifest'), sandbox.principals.manifest, region(), {
      method: 'POST',
      body: Buffer.alloc(GATEWAY_MAX_BODY_BYTES + 1, 7),
    });
    expect(answer.status).toBe(413);
    expect(answer.json().error.code).toBe('RequestTooLarge');
    expect(access.slice(seen)).toEqual([expect.objectContaining({ status: 413, method: 'POST' })]);
  });

  it('stops reading a chunked body (no Content-Length) at the cap, before any signature check', async () => {
    const target = new URL(url('manifest'));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(target, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 1);
      for (let i = 0; i < 8; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });

  it('leaves one access-log line for every answer, refusals included', async () => {
    const seen = access.length;
    await signedCall(url('manifest'), undefined, region());
    await signedCall(url('unlockCode'), sandbox.principals.manifest, region());
    await fetch(`${sandbox.info.apiUrl}nowhere`);
    expect(access.slice(seen).map((l) => l.status)).toEqual([403, 403, 403]);
  });
});

describe('a plain client gets the manifest bytes (binaryMediaTypes */*), JSON stays JSON', () => {
  beforeAll(async () => {
    for (const [kind, who] of [
      ['manifest', sandbox.principals.manifest],
      ['unlockCode', sandbox.principals.unlockCode],
    ] as const) {
      expect((await signedCall(url(kind), who, region(), { method: 'POST' })).status).toBe(201);
    }
  });

  it('curl with its default Accept: */* receives the raw manifest', async () => {
    const answer = await curlCall(url('manifest'), sandbox.principals.manifest, region());
    expect(answer.status).toBe(200);
    expect(answer.body.equals(sandbox.snowball.jobs.get(job)!.manifest)).toBe(true);
  });

  it('unlock-code and error answers stay JSON text whatever the Accept header', async () => {
    for (const accept of ['*/*', 'application/octet-stream', 'application/json']) {
      const answer = await signedCall(url('unlockCode'), sandbox.principals.unlockCode, region(), { accept });
      expect(answer.json().unlockCode).toBe(sandbox.snowball.jobs.get(job)!.unlockCode);
      const refused = await signedCall(url('manifest'), sandbox.principals.unlockCode, region(), { accept });
      expect(refused.json().error.code).toBe('AccessDenied');
    }
  });
});

describe('the control routes validate their input', () => {
  it.each([
    ['malformed JSON', 'faults', '{"faults": [', 400, /not valid JSON/],
    ['a fault given as a string', 'faults', '{"faults": "throttle"}', 400, /expected a list/],
    ['an inherited property name as a fault', 'faults', '{"faults": ["constructor"]}', 400, /unknown fault/],
    ['__proto__ as a fault', 'faults', '{"faults": ["__proto__", "toString"]}', 400, /unknown fault/],
    ['a state Snowball does not have', `jobs/JOB/state`, '{"state": "Lost"}', 400, /must be one of Snowball's job states/],
    ['an unknown job', 'jobs/JID99999999-9999-4999-8999-999999999999/state', '{"state": "Complete"}', 404, /unknown job/],
    ['an unknown route', 'teleport', '{}', 404, /unknown sandbox control route/],
  ])('refuses %s', async (_what, path, body, status, says) => {
    const answer = await control(path.replace('JOB', job), body);
    expect(answer.status).toBe(status);
    const error = (await answer.json()).error;
    expect(error.message).toMatch(says);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('accepts a real state and a real fault', async () => {
    expect((await control(`jobs/${job}/state`, '{"state": "WithCustomer"}')).status).toBe(200);
    expect(await (await control('faults', '{"faults": ["throttle"]}')).json()).toEqual({ faults: ['throttle'] });
    expect((await control('faults', '{"faults": []}')).status).toBe(200);
  });
});
