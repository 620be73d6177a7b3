import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULTS } from '../contract/deployment';
import { UNLOCKABLE_STATE } from '../contract/snowball';
import type { FaultSwitch } from './faults';
import { listen, sendAwsJsonError, sendJson, sleep } from './http-util';
import type { DemoJob } from './jobs';
import { authorize, jsonRequest, type StandInAuth } from './stand-in-auth';

const TARGET_PREFIX = 'AWSIESnowballJobManagementService.';
/** Presigned manifest URLs work for 60 minutes, as Snowball's do. */
const URL_LIFETIME_S = 3600;

export interface SnowballStandIn {
  readonly endpoint: string;
  /** Origin of the presigned-style manifest URLs: the broker's one extra allowed origin. */
  readonly manifestOrigin: string;
  readonly jobs: Map<string, DemoJob>;
  close(): Promise<void>;
}

/**
 * A stand-in for the Snowball job-management API speaking the real JSON 1.1 protocol
 * (`X-Amz-Target: AWSIESnowballJobManagementService.*`), plus the host its presigned-style
 * manifest URLs point to, which refuses a URL after its expiry or with a wrong signature.
 */
export async function startSnowball(
  jobs: DemoJob[],
  faults: FaultSwitch,
  downloadTimeoutMs: number,
  auth: StandInAuth,
): Promise<SnowballStandIn> {
  const byId = new Map(jobs.map((j) => [j.jobId, j]));
  const urlKey = randomBytes(32);
  const sign = (jobId: string, date: string, expires: string) =>
    createHmac('sha256', urlKey).update(`${jobId}\n${date}\n${expires}`).digest('hex');

  const manifestHost = await listen((req, res) => serveManifest(req, res, byId, faults, sign, downloadTimeoutMs));
  const api = await listen(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const request = await jsonRequest<{ JobId?: string; MaxResults?: number; NextToken?: string }>(req, res, auth, 'snowball');
    if (!request) return;
    const { principal, input: body } = request;
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const requestParameters: Record<string, string> = body.JobId ? { jobId: String(body.JobId) } : {};
    const refusal = authorize(auth, principal, { service: 'snowball', operation, scope: 'snowball', resource: '*', requestParameters });
    if (refusal) return sendAwsJsonError(res, 400, 'AccessDeniedException', refusal);
    if (faults.has('slowSnowball')) await sleep(1500);
    if (faults.has('throttle')) return sendAwsJsonError(res, 400, 'ThrottlingException', 'Rate exceeded');
    if (faults.has('snowball5xx')) return sendAwsJsonError(res, 500, 'InternalFailure', 'The service failed.');
    answer(res, operation, body, byId, faults, (jobId) => presignedUrl(manifestHost.url, jobId, faults, sign), {
      region: auth.region,
      account: auth.account,
    });
  });
  return {
    endpoint: api.url,
    manifestOrigin: manifestHost.url,
    jobs: byId,
    close: async () => {
      await api.close();
      await manifestHost.close();
    },
  };
}

/** Where the stand-in runs: a job of another region is listed here, but answers nothing else here. */
interface Home {
  readonly region: string;
  readonly account: string;
}

const listing = (job: DemoJob) => ({
  JobId: job.jobId,
  JobState: job.state,
  JobType: job.isMaster ? 'EXPORT' : 'IMPORT',
  SnowballType: 'EDGE',
  IsMaster: job.isMaster ?? false,
  CreationDate: job.createdAt.getTime() / 1000,
  Description: 'sandbox demo job',
});

/** DescribeJob's metadata: the listing, plus the job's KMS key, which lives in the job's region. */
const metadata = (job: DemoJob, home: Home) => ({
  ...listing(job),
  KmsKeyARN: `arn:aws:kms:${job.region ?? home.region}:${home.account}:key/sandbox-snowball-jobs`,
});

/** ListJobs, paginated as Snowball does (MaxResults 1–100, an opaque NextToken). */
function listJobs(jobs: Map<string, DemoJob>, body: { MaxResults?: number; NextToken?: string }) {
  const all = [...jobs.values()];
  const size = Math.min(Math.max(Number(body.MaxResults ?? 100), 1), 100);
  const start = body.NextToken ? Number(Buffer.from(body.NextToken, 'base64url').toString()) : 0;
  const page = all.slice(start, start + size);
  const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return { JobListEntries: page.map(listing), ...(next ? { NextToken: next } : {}) };
}

function answer(
  res: ServerResponse,
  operation: string,
  body: { JobId?: string; MaxResults?: number; NextToken?: string },
  jobs: Map<string, DemoJob>,
  faults: FaultSwitch,
  urlFor: (jobId: string) => string,
  home: Home,
): void {
  if (operation === 'ListJobs') return sendJson(res, 200, listJobs(jobs, body));
  if (!['DescribeJob', 'GetJobManifest', 'GetJobUnlockCode'].includes(operation)) {
    return sendAwsJsonError(res, 400, 'UnknownOperationException', `The sandbox does not emulate ${operation || 'that operation'}.`);
  }
  const job = jobs.get(body.JobId ?? '');
  if (!job) return sendAwsJsonError(res, 400, 'InvalidResourceException', `The specified job ${body.JobId} does not exist.`);
  if (operation === 'DescribeJob') return sendJson(res, 200, { JobMetadata: metadata(job, home) });
  if (job.region && job.region !== home.region)
    return sendAwsJsonError(res, 400, 'InvalidResourceException', `The specified job ${body.JobId} does not exist in ${home.region}.`);
  if (job.isMaster) return sendAwsJsonError(res, 400, 'InvalidJobStateException', 'An export main job has no device: use its job parts.');
  if (job.state !== UNLOCKABLE_STATE) {
    return sendAwsJsonError(res, 400, 'InvalidJobStateException', `The job is in the ${job.state} state, not WithCustomer.`);
  }
  if (operation === 'GetJobManifest') return sendJson(res, 200, { ManifestURI: urlFor(job.jobId) });
  const unlockCode = faults.has('malformedUnlockCode') ? job.unlockCode.replace(/-/g, '_') : job.unlockCode;
  sendJson(res, 200, { UnlockCode: unlockCode });
}

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function presignedUrl(origin: string, jobId: string, faults: FaultSwitch, sign: (j: string, d: string, e: string) => string): string {
  const issued = Date.now() - (faults.has('expiredUrl') ? 2 * URL_LIFETIME_S * 1000 : 0);
  const date = amzDate(issued);
  const expires = String(URL_LIFETIME_S);
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': date,
    'X-Amz-Expires': expires,
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': sign(jobId, date, expires),
  });
  return `${origin}/snowball-manifests/${jobId}/manifest.bin?${query}`;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

async function serveManifest(
  req: IncomingMessage,
  res: ServerResponse,
  jobs: Map<string, DemoJob>,
  faults: FaultSwitch,
  sign: (j: string, d: string, e: string) => string,
  downloadTimeoutMs: number,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://manifest-host');
  const job = jobs.get(/^\/snowball-manifests\/([^/]+)\/manifest\.bin$/.exec(url.pathname)?.[1] ?? '');
  const [date, expires, signature] = ['X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature'].map((k) => url.searchParams.get(k) ?? '');
  const expected = job ? Buffer.from(sign(job.jobId, date, expires)) : Buffer.alloc(0);
  if (!job || expected.length !== signature.length || !timingSafeEqual(expected, Buffer.from(signature))) {
    return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  const issued = Date.parse(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Date.now() > issued + Number(expires) * 1000) return s3Error(res, 403, 'AccessDenied', 'Request has expired');
  const body = faults.has('oversizedManifest') ? Buffer.alloc(DEFAULTS.manifestMaxBytes + 1, 1) : job.manifest;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
  if (faults.has('truncatedManifest')) {
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.destroy(), 20);
    return;
  }
  if (faults.has('slowManifest')) await sleep(downloadTimeoutMs * 2);
  res.end(body);
}
