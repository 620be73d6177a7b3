import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_SECRET_PREFIX, ENV, type OperatorKind } from '../lib/contract';
import { handler as manifestHandler } from '../lambda/manifest/handler';
import { handler as unlockCodeHandler } from '../lambda/unlock-code/handler';
import { FAULTS, FaultSwitch } from './faults';
import { createGateway } from './gateway';
import { listen, readBody, sendJson, type RunningServer } from './http-util';
import { SANDBOX_ACCOUNT, sandboxPrincipals } from './identities';
import { seedJobs } from './jobs';
import { startS3, type S3StandIn } from './s3-standin';
import { startSecretsManager, type SecretsStandIn } from './secrets-standin';
import { startSnowball, type SnowballStandIn } from './snowball-standin';

export interface SandboxOptions {
  /** Port of the broker API on 127.0.0.1; 0 picks a free one. Default 3000. */
  readonly port?: number;
  readonly region?: string;
  /** Faults on from the start (see faults.ts). */
  readonly faults?: string[];
  /** The manifest function's download timeout here; short, so the slow-download fault is quick. */
  readonly downloadTimeoutMs?: number;
  readonly accessLog?: (line: Record<string, unknown>) => void;
}

/** What `.sandbox/sandbox.json` holds: everything a client needs to call the sandbox. */
export interface SandboxInfo {
  readonly emulation: string;
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly region: string;
  readonly operators: Record<OperatorKind, { accessKeyId: string; secretAccessKey: string; roleArn: string }>;
  readonly jobs: { jobId: string; state: string }[];
}

export interface Sandbox {
  readonly info: SandboxInfo;
  readonly principals: ReturnType<typeof sandboxPrincipals>;
  readonly faults: FaultSwitch;
  readonly snowball: SnowballStandIn;
  readonly s3: S3StandIn;
  readonly secrets: SecretsStandIn;
  stop(): Promise<void>;
}

export const SANDBOX_LABEL = 'LOCAL EMULATION of AWS (Snowball, S3, Secrets Manager, API Gateway); no AWS account is involved';
const BUCKET = 'sandbox-manifest-vault';
let started = false;

/**
 * Points the handlers at the stand-ins through the standard SDK settings (`AWS_ENDPOINT_URL_*`)
 * and the same environment variables the stack sets: the handler code has no sandbox branches.
 */
function configureFunctions(sb: Omit<Sandbox, 'info' | 'stop' | 'faults'>, region: string, downloadTimeoutMs: number): void {
  const { principals } = sb;
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: principals.manifestFunction.accessKeyId,
    AWS_SECRET_ACCESS_KEY: principals.manifestFunction.secretAccessKey,
    AWS_ENDPOINT_URL_SNOWBALL: sb.snowball.endpoint,
    AWS_ENDPOINT_URL_S3: sb.s3.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sb.secrets.endpoint,
    [ENV.manifestBucket]: BUCKET,
    [ENV.manifestReaderRoleArn]: principals.manifest.roleArn,
    [ENV.manifestExtraOrigin]: sb.snowball.manifestOrigin,
    [ENV.manifestDownloadTimeoutMs]: String(downloadTimeoutMs),
    [ENV.unlockCodeSecretPrefix]: DEFAULT_SECRET_PREFIX,
    [ENV.unlockCodeKeyArn]: `arn:aws:kms:${region}:${SANDBOX_ACCOUNT}:key/sandbox-unlock-code-key`,
    [ENV.unlockCodeReaderRoleArn]: principals.unlockCode.roleArn,
    [ENV.unlockCodeBrokerRoleArn]: principals.unlockCodeFunction.roleArn,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

/** Starts the stand-ins and the broker API in this process. Once per process: handlers read their settings once. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  if (started) throw new Error('a sandbox already ran in this process; start another process for another sandbox');
  started = true;
  const region = options.region ?? 'us-east-1';
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 3000;
  const faults = new FaultSwitch(options.faults ?? []);
  const principals = sandboxPrincipals();
  const snowball = await startSnowball(seedJobs(), faults, downloadTimeoutMs);
  const s3 = await startS3(BUCKET);
  const secrets = await startSecretsManager(region, SANDBOX_ACCOUNT);
  configureFunctions({ principals, snowball, s3, secrets }, region, downloadTimeoutMs);

  const gateway = createGateway({
    region,
    stage: 'v1',
    principals: [principals.manifest, principals.unlockCode, principals.outsider],
    handlers: { manifest: manifestHandler, unlockCode: unlockCodeHandler },
    accessLog: options.accessLog,
  });
  let api: RunningServer | undefined;
  const admin = adminRoutes(snowball, secrets, faults);
  api = await listen((req, res) => ((req.url ?? '').startsWith('/__sandbox/') ? admin(req, res) : gateway(req, res)), options.port ?? 3000);
  const operator = (p: typeof principals.manifest) => ({ accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, roleArn: p.roleArn });
  const info: SandboxInfo = {
    emulation: SANDBOX_LABEL,
    apiUrl: `${api.url}/v1/`,
    adminUrl: `${api.url}/__sandbox/`,
    region,
    operators: { manifest: operator(principals.manifest), unlockCode: operator(principals.unlockCode) },
    jobs: [...snowball.jobs.values()].map(({ jobId, state }) => ({ jobId, state })),
  };
  return {
    info, principals, faults, snowball, s3, secrets,
    stop: async () => {
      await api?.close();
      api = undefined;
      await Promise.all([snowball.close(), s3.close(), secrets.close()]);
    },
  };
}

/** Unsigned control routes of the emulation itself, on loopback only. */
function adminRoutes(snowball: SnowballStandIn, secrets: SecretsStandIn, faults: FaultSwitch) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)).toString() || '{}') : {};
    const job = /^\/__sandbox\/jobs\/([^/]+)\/(state|schedule-deletion)$/.exec(path);
    if (req.method === 'GET' && path === '/__sandbox/state') {
      return sendJson(res, 200, { emulation: SANDBOX_LABEL, faults: faults.list(), knownFaults: FAULTS, jobs: [...snowball.jobs.values()].map(({ jobId, state }) => ({ jobId, state })) });
    }
    if (req.method === 'POST' && path === '/__sandbox/faults') {
      try {
        faults.set(body.faults ?? []);
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message });
      }
      return sendJson(res, 200, { faults: faults.list() });
    }
    if (req.method === 'POST' && job && snowball.jobs.has(job[1])) {
      if (job[2] === 'state') {
        snowball.jobs.get(job[1])!.state = String(body.state);
        return sendJson(res, 200, { jobId: job[1], state: body.state });
      }
      const done = secrets.scheduleDeletion(`${DEFAULT_SECRET_PREFIX}${job[1]}`);
      return sendJson(res, done ? 200 : 404, done ? { jobId: job[1], scheduledForDeletion: true } : { error: 'no unlock code stored for that job yet' });
    }
    sendJson(res, 404, { error: 'unknown sandbox admin route' });
  };
}
