import { type FleetEntry } from '../contract/api';
import { UNLOCKABLE_STATE } from '../contract/snowball';
import { OPERATOR_KINDS, VAULTS, type OperatorKind } from '../contract/vaults';
import { checkAnswer, type FieldCheck } from './answers';
import { callBroker, type AwsCredentialIdentity, type Connection } from './client';
import { jsonOf } from './replies';
import { CliError, EXIT } from './errors';

export type FleetRow = FleetEntry;

export type FleetViews = Partial<Record<OperatorKind, { jobs: FleetRow[] }>>;

const DAY_MS = 86_400_000;
const SOON_DAYS = 30;

const ROW: Record<string, FieldCheck> = {
  jobId: 'string',
  state: /^[A-Za-z]{1,40}$/,
  createdAt: 'date',
  credentialsExpireAt: 'date',
  stored: 'boolean',
  retired: 'optional-boolean',
  fetchedAt: 'nullable-string',
  versionId: 'optional-string',
  // The manifest vault's rows add these.
  sha256: 'optional-string',
  sizeBytes: 'optional-integer',
};

/** A fleet answer: `{ jobs: [...] }`, each row checked before anything of it is printed. */
function fleetOf(body: unknown, what: string): { jobs: FleetRow[] } {
  const view = checkAnswer<{ jobs: unknown }>(body, {}, what);
  if (!Array.isArray(view.jobs))
    throw new CliError(
      `the broker's answer to ${what} lacks "jobs"; nothing was printed: check --api-url points at this version of the broker.`,
    );
  return { jobs: view.jobs.map((row) => checkAnswer<FleetRow>(row, ROW, what)) };
}

/** Each vault's fleet route the caller's role may read; a 403 AccessDenied only means the other operator's vault. */
export async function readFleet(connection: Connection, credentials: AwsCredentialIdentity): Promise<FleetViews> {
  const views: FleetViews = {};
  const refusals: CliError[] = [];
  for (const kind of OPERATOR_KINDS) {
    try {
      views[kind] = fleetOf(jsonOf(await callBroker(connection, credentials, 'GET', kind, undefined), 'status'), 'status');
    } catch (err) {
      if (!(err instanceof CliError) || err.code !== 'AccessDenied') throw err;
      refusals.push(err);
    }
  }
  if (refusals.length === 2)
    throw new CliError(
      `not allowed (403): status needs credentials of the ${OPERATOR_KINDS.map((kind) => VAULTS[kind].operatorRole).join(' or the ')} role (--profile).`,
      EXIT.failed,
      'AccessDenied',
    );
  return views;
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

function expiry(row: FleetRow, now: Date): string {
  const left = Math.floor((Date.parse(row.credentialsExpireAt) - now.getTime()) / DAY_MS);
  if (left < 0) return `${day(row.credentialsExpireAt)} expired`;
  return left < SOON_DAYS ? `${day(row.credentialsExpireAt)} ! in ${left} d` : day(row.credentialsExpireAt);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd(),
  );
}

/** The aligned table of one vault's view, flagging credentials that expire within 30 days, and a hint for what to fetch. */
export function formatFleet(kind: OperatorKind, view: { jobs: FleetRow[] }, now = new Date()): string[] {
  const header = ['JOB ID', 'STATE', 'CREATED', 'CREDENTIALS EXPIRE', VAULTS[kind].noun.toUpperCase(), 'FETCHED'];
  const rows = view.jobs.map((j) => [
    j.jobId,
    j.state,
    day(j.createdAt),
    expiry(j, now),
    j.stored ? 'stored' : j.retired ? 'retired' : '-',
    day(j.fetchedAt),
  ]);
  const lines = [`${VAULTS[kind].title}: ${view.jobs.length} job(s)`, ...table([header, ...rows])];
  const missing = view.jobs.filter((j) => j.state === UNLOCKABLE_STATE && !j.stored && Date.parse(j.credentialsExpireAt) > now.getTime());
  if (missing.length) {
    lines.push(
      `hint: ${missing.length} WithCustomer job(s) without a stored ${VAULTS[kind].noun}: run "snowball-broker ${VAULTS[kind].cli.fetch} --job-id ${missing[0].jobId}"${missing.length > 1 ? ' (and the others)' : ''}.`,
    );
  }
  return lines;
}

/**
 * Turns a 404 of a read (nothing stored, or retired) into what the operator can do about it, from
 * the job's row in the vault's fleet view: fetch it while the job is WithCustomer; otherwise say
 * why there is nothing to fetch. The original failure stands when the view cannot be read.
 */
export async function explainNothingStored(
  connection: Connection,
  credentials: AwsCredentialIdentity,
  kind: OperatorKind,
  jobId: string,
  failure: CliError,
): Promise<CliError> {
  let row: FleetRow | undefined;
  try {
    row = fleetOf(
      jsonOf(
        await callBroker(
          { ...connection, policy: { ...(connection.policy ?? { timeoutMs: 30_000 }), maxAttempts: 1 } },
          credentials,
          'GET',
          kind,
          undefined,
        ),
        'status',
      ),
      'status',
    ).jobs.find((j) => j.jobId === jobId);
  } catch {
    return failure;
  }
  if (!row)
    return new CliError(
      `nothing stored (404): Snowball lists no job ${jobId} in this account and region; check the job id and --region (snowball-broker status lists the jobs).`,
      EXIT.failed,
      failure.code,
    );
  const expired = Date.parse(row.credentialsExpireAt) <= Date.now();
  const what = row.retired ? `the ${VAULTS[kind].noun} of ${jobId} is retired` : `the broker holds no ${VAULTS[kind].noun} for ${jobId}`;
  if (expired)
    return new CliError(
      `nothing stored (404): ${what}, and the job's credentials expired on ${day(row.credentialsExpireAt)}; Snowball hands them out for 360 days only.`,
      EXIT.failed,
      failure.code,
    );
  if (row.state !== UNLOCKABLE_STATE) {
    return new CliError(
      `nothing stored (404): ${what}, and the job is ${row.state}; Snowball hands credentials out only while a job is ${UNLOCKABLE_STATE}, so there is nothing to fetch now.`,
      EXIT.failed,
      failure.code,
    );
  }
  return new CliError(
    `nothing stored (404): ${what}; the job is ${UNLOCKABLE_STATE}: run "snowball-broker ${VAULTS[kind].cli.fetch} --job-id ${jobId}", then this command again.`,
    EXIT.failed,
    failure.code,
  );
}
