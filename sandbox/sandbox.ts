import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULTS, STABLE_NAMES } from '../contract/deployment';
import { MANIFEST_KEY_PREFIX } from '../contract/vault-layout';
import { mapKinds, type OperatorKind } from '../contract/vaults';
import { controlRoutes } from './control';
import { FaultSwitch } from './faults';
import { functionEnvs, KEY_ARN, startFunctions, type StandIns } from './functions';
import { createGateway } from './gateway';
import { vaultReads } from './gateway-reads';
import { detectionRules, sandboxScp } from './deployed-rules';
import { schedule, type Schedule } from './schedule';
import { listen, sendJson, type RunningServer } from './http-util';
import { exportCredentials, SANDBOX_ACCOUNT, sandboxPrincipals, type PrincipalName, type SandboxPrincipal } from './identities';
import { seedJobs } from './jobs';
import { startS3, type S3StandIn } from './s3-standin';
import { startSecretsManager, type SecretsStandIn } from './secrets-standin';
import { startSnowball, type SnowballStandIn } from './snowball-standin';
import type { StandInAuth } from './stand-in-auth';
import { SandboxTrail, type Alert } from './trail';
import { JobNotifications, notificationProse } from './notifications';
import { SandboxAlarms } from './alarms';
import type { ServicePublisher } from '../policies/service-publishers';
import type { PassSummary } from '../lambda/shared/reconcile-pass';

export interface SandboxOptions {
  /** Port of the broker API on 127.0.0.1; 0 picks a free one. Default 3000. */
  readonly port?: number;
  readonly region?: string;
  /** Faults on from the start (see faults.ts). */
  readonly faults?: string[];
  /** The manifest function's download timeout here; short, so the slow-download fault is quick. */
  readonly downloadTimeoutMs?: number;
  /** One JSON line per answer of the API and the control routes. */
  readonly accessLog?: (line: Record<string, unknown>) => void;
  /** Each line a function logs. Default: written to this process's stdout. */
  readonly functionLog?: (functionName: string, line: string) => void;
  /** Run with the guardrails SCP applied to every principal (`scp`, the default) or without (`off`). */
  readonly guardrails?: GuardrailsMode;
  /** Each alert the detection rules raise. Default: one JSON line on stdout. */
  readonly alertLog?: (alert: Alert) => void;
  /** Milliseconds between reconcile passes of both functions (the deployed schedule). Default 0: none. */
  readonly captureIntervalMs?: number;
  /**
   * Who the topics admit, in place of the stack's publishers (policies/service-publishers.ts): to see
   * what a missing grant does. Default: the stack's.
   */
  readonly publishers?: { readonly jobNotifications?: readonly ServicePublisher[]; readonly alerts?: readonly ServicePublisher[] };
}

export type GuardrailsMode = 'scp' | 'off';

type ExportedCredentials = ReturnType<typeof exportCredentials>;

/** What `.sandbox/sandbox.json` holds: everything a client needs to call the sandbox. */
export interface SandboxInfo {
  readonly emulation: string;
  readonly pid: number;
  readonly apiUrl: string;
  readonly adminUrl: string;
  readonly region: string;
  /** Temporary credentials of one session of each operator role. */
  readonly operators: Record<OperatorKind, ExportedCredentials>;
  /** A principal of the account the matrix admits to nothing, to see refusals with. */
  readonly outsider: ExportedCredentials;
  /** The account administrator: every action by identity policy, held back only by the vaults' resource and key policies and, with SANDBOX_GUARDRAILS=scp, the SCPs. */
  readonly administrator: ExportedCredentials;
  /** The vaults' own addresses, for direct reads with the AWS CLI or SDK, as on AWS. */
  readonly vaults: {
    readonly manifest: { readonly s3Endpoint: string; readonly bucket: string; readonly keyPrefix: string };
    readonly unlockCode: { readonly secretsManagerEndpoint: string; readonly secretPrefix: string };
  };
  readonly snowballEndpoint: string;
  /** Whether the guardrails SCP applies (SANDBOX_GUARDRAILS). */
  readonly guardrails: GuardrailsMode;
  readonly jobs: { jobId: string; state: string }[];
}

export interface Sandbox {
  readonly info: SandboxInfo;
  readonly principals: Record<PrincipalName, SandboxPrincipal>;
  readonly faults: FaultSwitch;
  readonly snowball: SnowballStandIn;
  readonly s3: S3StandIn;
  readonly secrets: SecretsStandIn;
  /** Every call the stand-ins answered, and the alerts it raised. */
  readonly trail: SandboxTrail;
  /** The job-notification topic and queues. */
  readonly notifications: JobNotifications;
  /** The lifecycle's alarms, notifying the alerts topic. */
  readonly alarms: SandboxAlarms;
  /** One reconcile pass of both functions, as the schedule runs it. */
  reconcile(): Promise<Record<OperatorKind, PassSummary>>;
  /** The reconcile schedule (`captureIntervalMs`), to wait for its passes. */
  readonly schedule: Pick<Schedule, 'settled' | 'nextPass'>;
  /** Each function's whole environment, to run its built bundle against the stand-ins. */
  readonly functionEnv: Record<OperatorKind, Record<string, string>>;
  stop(): Promise<void>;
}

export const SANDBOX_LABEL = 'LOCAL EMULATION of AWS (Snowball, S3, Secrets Manager, API Gateway, Lambda); no AWS account is involved';

function describe(
  api: RunningServer,
  region: string,
  principals: Record<PrincipalName, SandboxPrincipal>,
  stand: StandIns,
  guardrails: GuardrailsMode,
): SandboxInfo {
  return {
    emulation: SANDBOX_LABEL,
    pid: process.pid,
    apiUrl: `${api.url}/v1/`,
    adminUrl: `${api.url}/__sandbox/`,
    region,
    operators: { manifest: exportCredentials(principals.manifest), unlockCode: exportCredentials(principals.unlockCode) },
    outsider: exportCredentials(principals.outsider),
    administrator: exportCredentials(principals.administrator),
    vaults: {
      manifest: { s3Endpoint: stand.s3.endpoint, bucket: stand.s3.bucket, keyPrefix: MANIFEST_KEY_PREFIX },
      unlockCode: { secretsManagerEndpoint: stand.secrets.endpoint, secretPrefix: DEFAULTS.secretPrefix },
    },
    snowballEndpoint: stand.snowball.endpoint,
    guardrails,
    jobs: [...stand.snowball.jobs.values()].map(({ jobId, state }) => ({ jobId, state })),
  };
}

const printAlert = (alert: Alert) => console.log(JSON.stringify({ sandbox: 'alert', ...alert }));

/** Starts the stand-ins, the two functions (each in its own runtime) and the broker API. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const region = options.region ?? 'us-east-1';
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 3000;
  const faults = new FaultSwitch(options.faults ?? []);
  const principals = sandboxPrincipals(region);
  const guardrails = options.guardrails ?? 'scp';
  const bucket = STABLE_NAMES.manifestBucket(SANDBOX_ACCOUNT, region);
  const trail = new SandboxTrail(
    detectionRules(principals, region, bucket),
    { account: SANDBOX_ACCOUNT, region },
    options.alertLog ?? printAlert,
  );
  const auth: StandInAuth = {
    principals: new Map(Object.values(principals).map((p) => [p.accessKeyId, p])),
    region,
    account: SANDBOX_ACCOUNT,
    trail,
    scp: guardrails === 'scp' ? sandboxScp(region) : undefined,
  };
  const stand: StandIns = {
    snowball: await startSnowball(seedJobs(), faults, downloadTimeoutMs, auth),
    s3: await startS3(bucket, auth),
    secrets: await startSecretsManager(DEFAULTS.secretPrefix, auth, KEY_ARN(region, 'unlockCode')),
  };
  const closeStandIns = () => Promise.all([stand.snowball.close(), stand.s3.close(), stand.secrets.close()]);
  const envs = functionEnvs(stand, principals, region, downloadTimeoutMs);
  const functions = await startFunctions(envs, options.functionLog).catch(async (err: unknown) => {
    await closeStandIns();
    throw err;
  });
  const stopFunctions = () => Promise.all([functions.manifest.stop(), functions.unlockCode.stop()]);
  const gateway = createGateway({
    region,
    stage: 'v1',
    principals: Object.values(principals),
    handlers: mapKinds((kind) => (event) => functions[kind].invoke('api', event)),
    reads: vaultReads(
      { s3Endpoint: stand.s3.endpoint, bucket, secretsEndpoint: stand.secrets.endpoint, secretPrefix: DEFAULTS.secretPrefix },
      region,
    ),
    accessLog: options.accessLog,
  });
  const alarms = new SandboxAlarms({ region, account: SANDBOX_ACCOUNT }, trail, options.publishers?.alerts);
  const notifications = new JobNotifications(
    functions,
    { region, account: SANDBOX_ACCOUNT },
    {
      trail,
      onDeadLetter: (kind, count) => alarms.observeDeadLetters(kind, count),
      publishers: options.publishers?.jobNotifications,
    },
  );
  const reconcile = async () => {
    const [manifest, unlockCode] = await Promise.all([
      functions.manifest.invoke<PassSummary>('schedule', {}),
      functions.unlockCode.invoke<PassSummary>('schedule', {}),
    ]);
    alarms.observePass('manifest', manifest);
    alarms.observePass('unlockCode', unlockCode);
    return { manifest, unlockCode };
  };
  const passes = schedule(reconcile, options.captureIntervalMs ?? 0);
  const control = controlRoutes({
    label: SANDBOX_LABEL,
    ...stand,
    secretPrefix: DEFAULTS.secretPrefix,
    faults,
    trail,
    onStateChange: (job) => notifications.publish(notificationProse(job), job.jobId),
    reconcile,
  });
  const routeControl = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const status = await control(req, res).catch(() => {
      sendJson(res, 500, { error: { code: 'InternalError', message: 'the sandbox control route failed' } });
      return 500;
    });
    options.accessLog?.({
      control: true,
      method: req.method,
      path: (req.url ?? '/').split('?')[0],
      status,
      latencyMs: Date.now() - started,
    });
  };
  const api = await listen(
    (req, res) => ((req.url ?? '').startsWith('/__sandbox/') ? routeControl(req, res) : gateway(req, res)),
    options.port ?? 3000,
  ).catch(async (err) => {
    await passes.stop();
    notifications.close();
    await Promise.all([stopFunctions(), closeStandIns()]);
    throw err;
  });
  return {
    info: describe(api, region, principals, stand, guardrails),
    principals,
    faults,
    ...stand,
    trail,
    notifications,
    alarms,
    reconcile,
    schedule: { settled: passes.settled, nextPass: passes.nextPass },
    functionEnv: envs,
    stop: async () => {
      await passes.stop();
      notifications.close();
      await api.close();
      await stopFunctions();
      await closeStandIns();
    },
  };
}
