import type { IncomingMessage, ServerResponse } from 'node:http';
import { JOB_STATES } from '../contract/snowball';
import { unlockCodeSecretName } from '../contract/vault-layout';
import { FAULTS, type FaultSwitch } from './faults';
import { BodyTooLarge, readBody, sendJson } from './http-util';
import type { SecretsStandIn } from './secrets-standin';
import type { SnowballStandIn } from './snowball-standin';
import type { SandboxTrail } from './trail';
import { demoJob, type DemoJob } from './jobs';
import { randomUUID } from 'node:crypto';

/** Control routes take small JSON bodies only. */
const MAX_CONTROL_BODY = 16 * 1024;

export interface ControlDeps {
  readonly label: string;
  readonly snowball: SnowballStandIn;
  readonly secrets: SecretsStandIn;
  readonly secretPrefix: string;
  readonly faults: FaultSwitch;
  readonly trail: SandboxTrail;
  /** Snowball notifies the job's topic of each state change. */
  readonly onStateChange: (job: DemoJob) => void;
  /** One reconcile pass of both functions, now. */
  readonly reconcile: () => Promise<unknown>;
}

/** A refusal of a control route, in the broker's error shape. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readBody(req, MAX_CONTROL_BODY)).toString();
  } catch (err) {
    if (err instanceof BodyTooLarge)
      throw new ControlError(413, 'RequestTooLarge', `control requests take at most ${MAX_CONTROL_BODY} bytes`);
    throw err;
  }
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ControlError(400, 'MalformedJson', 'the request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ControlError(400, 'MalformedJson', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function setFaults(deps: ControlDeps, body: Record<string, unknown>) {
  const names = body.faults ?? [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new ControlError(
      400,
      'InvalidFaults',
      `"faults" expected a list of fault names, e.g. ["throttle"]; known: ${Object.keys(FAULTS).join(', ')}`,
    );
  }
  try {
    deps.faults.set(names);
  } catch (err) {
    throw new ControlError(400, 'UnknownFault', (err as Error).message);
  }
  return { faults: deps.faults.list() };
}

/** A job state from a control body: one of Snowball's 13, or a 400. */
function jobState(raw: unknown): string {
  if (typeof raw !== 'string' || !(JOB_STATES as readonly string[]).includes(raw)) {
    throw new ControlError(400, 'InvalidState', `"state" must be one of Snowball's job states: ${JOB_STATES.join(', ')}`);
  }
  return raw;
}

function setState(deps: ControlDeps, jobId: string, body: Record<string, unknown>) {
  const state = jobState(body.state);
  const job = deps.snowball.jobs.get(jobId)!;
  job.state = state;
  deps.onStateChange(job);
  return { jobId, state };
}

function addJob(deps: ControlDeps, body: Record<string, unknown>) {
  const state = jobState(body.state ?? 'WithCustomer');
  const days = body.createdDaysAgo ?? 0;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 3650) {
    throw new ControlError(400, 'InvalidAge', '"createdDaysAgo" must be a whole number of days from 0 to 3650');
  }
  const job = demoJob(`JID${randomUUID()}`, state, days);
  deps.snowball.jobs.set(job.jobId, job);
  return { jobId: job.jobId, state, createdAt: job.createdAt.toISOString() };
}

function scheduleDeletion(deps: ControlDeps, jobId: string) {
  if (!deps.secrets.scheduleDeletion(unlockCodeSecretName(deps.secretPrefix, jobId))) {
    throw new ControlError(404, 'NothingStored', `no unlock code is stored for job ${jobId} yet`);
  }
  return { jobId, scheduledForDeletion: true };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ControlError(400, 'InvalidJobId', 'the job id in the path is not validly percent-encoded');
  }
}

/** The names this machine's browser and curl use for the sandbox: anything else in `Host` is a rebound DNS name. */
const loopbackOrigins = (port: number | undefined) => [`127.0.0.1:${port}`, `localhost:${port}`];

/**
 * Control routes change the emulation without a signature, so only this machine's own tools may
 * call them: `Host` must be a loopback name of this port (a DNS-rebinding page sends its own
 * name), an `Origin`, if sent, must be the sandbox itself (a foreign page's fetch carries its
 * own), and a POST must be `application/json`, which no cross-site form or simple request can
 * send without a CORS preflight that the sandbox never grants.
 */
function checkSameOrigin(req: IncomingMessage): void {
  const allowed = loopbackOrigins(req.socket.localPort);
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!allowed.includes(host)) {
    throw new ControlError(
      403,
      'ForeignHost',
      `control routes answer only requests to ${allowed.join(' or ')}; this one was for "${host}"`,
    );
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.some((a) => origin.toLowerCase() === `http://${a}`)) {
    throw new ControlError(
      403,
      'ForeignOrigin',
      "control routes answer only the sandbox's own origin, not a web page's: call them with curl from this machine",
    );
  }
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (req.method === 'POST' && type !== 'application/json') {
    throw new ControlError(
      415,
      'UnsupportedMediaType',
      "control POSTs take Content-Type: application/json (curl -H 'Content-Type: application/json')",
    );
  }
}

async function route(deps: ControlDeps, req: IncomingMessage, path: string): Promise<unknown> {
  checkSameOrigin(req);
  if (req.method === 'GET' && path === '/__sandbox/state') {
    return {
      emulation: deps.label,
      faults: deps.faults.list(),
      knownFaults: FAULTS,
      jobs: [...deps.snowball.jobs.values()].map(({ jobId, state }) => ({ jobId, state })),
    };
  }
  if (req.method === 'GET' && path === '/__sandbox/alerts') return { alerts: deps.trail.alerts, undelivered: deps.trail.undelivered };
  if (req.method === 'POST' && path === '/__sandbox/jobs') return addJob(deps, await jsonBody(req));
  if (req.method === 'POST' && path === '/__sandbox/reconcile') return deps.reconcile();
  if (req.method === 'POST' && path === '/__sandbox/faults') return setFaults(deps, await jsonBody(req));
  const job = /^\/__sandbox\/jobs\/([^/]+)\/(state|schedule-deletion)$/.exec(path);
  if (req.method === 'POST' && job) {
    const jobId = decodeSegment(job[1]);
    if (!deps.snowball.jobs.has(jobId))
      throw new ControlError(404, 'UnknownJob', `unknown job ${jobId}: see GET /__sandbox/state for the sandbox's jobs`);
    return job[2] === 'state' ? setState(deps, jobId, await jsonBody(req)) : scheduleDeletion(deps, jobId);
  }
  throw new ControlError(404, 'UnknownRoute', `unknown sandbox control route ${req.method} ${path}`);
}

/**
 * Unsigned control routes of the emulation itself, on loopback only and for same-origin JSON
 * requests only: inspect it, switch faults, move jobs between states, schedule a secret's
 * deletion. Every input is validated; a refusal is
 * JSON `{ "error": { "code", "message" } }`. Returns the status sent, for the access log.
 */
export function controlRoutes(deps: ControlDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      sendJson(res, 200, await route(deps, req, path));
      return 200;
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      if (err.status === 413) res.setHeader('Connection', 'close');
      sendJson(res, err.status, { error: { code: err.code, message: err.message } });
      return err.status;
    }
  };
}
