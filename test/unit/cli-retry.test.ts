import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callBroker, DEFAULT_CALL_POLICY, type CallPolicy } from '../../cli/client';

/** The CLI's retries, with the backoff's sleep injected: what it waits and how often it tries, in no real time. */
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
let server: Server;
let url: string;
let answer: (n: number, res: ServerResponse) => void;
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => answer(++hits, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
afterAll(
  () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
);
beforeEach(() => (hits = 0));

const error = (status: number, code: string) => (_n: number, res: ServerResponse) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code, message: code } }));
const ok = (res: ServerResponse) => res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jobId: JOB }));

/** Calls POST /jobs/JOB/manifest with a policy whose sleeps are recorded, not slept; jitter at its largest. */
async function call(policy: Partial<CallPolicy> = {}) {
  const waits: number[] = [];
  const full: CallPolicy = {
    ...DEFAULT_CALL_POLICY,
    timeoutMs: 5000,
    sleep: async (ms) => void waits.push(ms),
    random: () => 1,
    ...policy,
  };
  const result = await callBroker({ apiUrl: url, region: 'us-east-1', policy: full }, creds, 'POST', 'manifest', JOB).then(
    (reply) => ({ status: reply.status }),
    (err: Error) => ({ failure: err.message }),
  );
  return { ...result, waits, attempts: hits };
}

describe('retries (as the AWS CLI: 3 attempts, full jitter up to 1 s, then 2 s)', () => {
  it('retries a throttled answer twice with growing backoff, then reports it', async () => {
    answer = error(429, 'Throttled');
    const run = await call();
    expect(run).toMatchObject({ attempts: 3, waits: [1000, 2000] });
    expect(run).toHaveProperty(
      'failure',
      expect.stringMatching(/throttled \(429 Throttled\) after 3 attempts with backoff: wait a minute and run the command again/),
    );
  });

  it('retries an unavailable answer (503) and succeeds when the next attempt does', async () => {
    answer = (n, res) => (n === 1 ? error(503, 'UpstreamUnavailable')(n, res) : ok(res));
    expect(await call()).toEqual({ status: 201, waits: [1000], attempts: 2 });
  });

  it('retries a connection reset mid-way', async () => {
    answer = (n, res) => (n === 1 ? void res.socket?.destroy() : ok(res));
    expect(await call()).toEqual({ status: 201, waits: [1000], attempts: 2 });
  });

  it('never retries what another attempt cannot change (400, 403, 404, 409, 500, 502)', async () => {
    for (const [status, code] of [
      [400, 'InvalidJobId'],
      [403, 'AccessDenied'],
      [404, 'JobNotFound'],
      [409, 'JobNotWithCustomer'],
      [500, 'InternalError'],
      [502, 'ManifestDownloadFailed'],
    ] as const) {
      hits = 0;
      answer = error(status, code);
      expect(await call()).toMatchObject({ attempts: 1, waits: [] });
    }
  });

  it('makes one attempt when retrying is off (--no-retry)', async () => {
    answer = error(429, 'Throttled');
    expect(await call({ maxAttempts: 1 })).toMatchObject({ attempts: 1, waits: [] });
  });

  it('waits a random share of each step (full jitter)', async () => {
    answer = error(429, 'Throttled');
    expect((await call({ random: () => 0.25 })).waits).toEqual([250, 500]);
  });
});
