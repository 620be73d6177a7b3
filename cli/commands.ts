import { createHash } from 'node:crypto';
import { MANIFEST_HEADERS, UNLOCK_CODE_PATTERN } from '../contract/api';
import { OPERATOR_KINDS } from '../contract/vaults';
import { checkAnswer, checkSameJob, type FieldCheck } from './answers';
import { callBroker, type AwsCredentialIdentity, type Connection } from './client';
import { jsonOf } from './replies';
import { CliError, EXIT } from './errors';
import { checkOutputFile, writePrivateFile } from './output-file';
import { explainNothingStored, formatFleet, readFleet } from './status';

export interface CommandContext {
  readonly connection: Connection;
  readonly credentials: AwsCredentialIdentity;
  /** Empty for commands that take no job (status). */
  readonly jobId: string;
  readonly json: boolean;
  readonly out?: string;
  readonly force: boolean;
  /** Where results go; only what the command is for. */
  readonly stdout: (text: string) => void;
  /** Where a note goes when stdout carries data (get-manifest --out -). */
  readonly stderr: (text: string) => void;
  /** Raw bytes on standard output, all of them before it resolves. */
  readonly stdoutBytes: (bytes: Buffer) => Promise<void>;
  /** Whether standard output is a terminal (a manifest is never sprayed on one). */
  readonly stdoutIsTty: boolean;
}

/** `--out -`: standard output, as curl and tar read it; never a file named "-". */
export const STDOUT_FILE = '-';

const STORED_MANIFEST: Record<string, FieldCheck> = {
  jobId: 'string',
  bucket: 'string',
  key: 'string',
  versionId: 'string',
  sha256: 'sha256',
  sizeBytes: 'integer',
  fetchedAt: 'optional-string',
  unchanged: 'boolean',
};
const STORED_UNLOCK_CODE: Record<string, FieldCheck> = {
  jobId: 'string',
  secretArn: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
  versionId: 'string',
  fetchedAt: 'optional-string',
  unchanged: 'boolean',
  restored: 'optional-boolean',
};

/** A read of the vault; a 404 is explained from the job's state (fetch it, or why there is nothing to fetch). */
async function read(ctx: CommandContext, kind: 'manifest' | 'unlockCode', accept?: string) {
  try {
    return await callBroker(ctx.connection, ctx.credentials, 'GET', kind, ctx.jobId, accept);
  } catch (err) {
    if (err instanceof CliError && (err.code === 'NothingStored' || err.code === 'ScheduledForDeletion')) {
      throw await explainNothingStored(ctx.connection, ctx.credentials, kind, ctx.jobId, err);
    }
    throw err;
  }
}

export async function fetchManifest(ctx: CommandContext): Promise<void> {
  const what = `fetch-manifest for ${ctx.jobId}`;
  const reply = await callBroker(ctx.connection, ctx.credentials, 'POST', 'manifest', ctx.jobId);
  const stored = checkAnswer<Record<string, string | number | boolean>>(jsonOf(reply, what), STORED_MANIFEST, what);
  checkSameJob(stored, ctx.jobId, what);
  if (ctx.json) return ctx.stdout(JSON.stringify(stored));
  const how = stored.unchanged ? 'already stored, unchanged' : 'stored';
  ctx.stdout(
    `Manifest of ${stored.jobId} ${how}: s3://${stored.bucket}/${stored.key} version ${stored.versionId}, sha256 ${stored.sha256}, ${stored.sizeBytes} bytes`,
  );
}

export async function getManifest(ctx: CommandContext): Promise<void> {
  if (!ctx.out) throw new CliError(`get-manifest needs --out FILE (or --out ${STDOUT_FILE} for standard output).`, EXIT.usage);
  const toStdout = ctx.out === STDOUT_FILE;
  if (toStdout && ctx.stdoutIsTty)
    throw new CliError(
      '--out - writes the binary manifest to standard output, which is a terminal here: redirect it (> FILE, | …) or give --out FILE.',
      EXIT.usage,
    );
  if (toStdout && ctx.force) throw new CliError('--force replaces a file; --out - writes to standard output: drop --force.', EXIT.usage);
  if (!toStdout) checkOutputFile(ctx.out, ctx.force);
  const reply = await read(ctx, 'manifest', 'application/octet-stream');
  const expected = reply.headers.get(MANIFEST_HEADERS.sha256);
  const actual = createHash('sha256').update(reply.body).digest('hex');
  if (!expected || expected !== actual) {
    throw new CliError('the downloaded manifest does not match the SHA-256 the broker sent; nothing was written: run the command again.');
  }
  const versionId = reply.headers.get(MANIFEST_HEADERS.versionId);
  const result = { jobId: ctx.jobId, file: ctx.out, sha256: actual, sizeBytes: reply.body.length, versionId };
  if (toStdout) {
    await ctx.stdoutBytes(reply.body);
    return ctx.stderr(
      ctx.json
        ? JSON.stringify(result)
        : `Wrote the manifest of ${ctx.jobId} to standard output (${result.sizeBytes} bytes, sha256 ${actual} verified)`,
    );
  }
  writePrivateFile(ctx.out, reply.body, ctx.force);
  ctx.stdout(
    ctx.json
      ? JSON.stringify(result)
      : `Wrote the manifest of ${ctx.jobId} to ${ctx.out} (${result.sizeBytes} bytes, sha256 ${actual} verified, mode 0600)`,
  );
}

export async function fetchUnlockCode(ctx: CommandContext): Promise<void> {
  const what = `fetch-unlock-code for ${ctx.jobId}`;
  const reply = await callBroker(ctx.connection, ctx.credentials, 'POST', 'unlockCode', ctx.jobId);
  const answer = checkAnswer<Record<string, string | boolean | undefined>>(jsonOf(reply, what), STORED_UNLOCK_CODE, what);
  checkSameJob(answer, ctx.jobId, what);
  const { jobId, secretArn, versionId, fetchedAt, unchanged, restored } = answer;
  const stored = { jobId, secretArn, versionId, fetchedAt, unchanged, restored };
  if (ctx.json) return ctx.stdout(JSON.stringify(stored));
  const how = restored ? 'restored from scheduled deletion' : unchanged ? 'already stored, unchanged' : 'stored';
  ctx.stdout(`Unlock code of ${jobId} ${how}: ${secretArn} version ${versionId}`);
}

export async function getUnlockCode(ctx: CommandContext): Promise<void> {
  const what = `get-unlock-code for ${ctx.jobId}`;
  const reply = await read(ctx, 'unlockCode');
  // A value that is not an unlock code is never printed: it could be anything, a terminal escape included.
  const { jobId, unlockCode } = checkAnswer<{ jobId: string; unlockCode: string }>(
    jsonOf(reply, what),
    { jobId: 'string', unlockCode: UNLOCK_CODE_PATTERN },
    what,
  );
  checkSameJob({ jobId }, ctx.jobId, what);
  ctx.stdout(ctx.json ? JSON.stringify({ jobId, unlockCode }) : unlockCode);
}

export async function status(ctx: CommandContext): Promise<void> {
  const views = await readFleet(ctx.connection, ctx.credentials);
  if (ctx.json) return ctx.stdout(JSON.stringify(views));
  const blocks = OPERATOR_KINDS.filter((k) => views[k]).map((k) => formatFleet(k, views[k]!).join('\n'));
  ctx.stdout(blocks.join('\n\n'));
}

/** Options every command takes. */
export const COMMON_OPTIONS = ['api-url', 'stack', 'region', 'profile', 'json', 'timeout', 'no-retry', 'help'] as const;

export type OptionName = 'job-id' | 'out' | 'force' | (typeof COMMON_OPTIONS)[number];

interface Command {
  readonly run: (ctx: CommandContext) => Promise<void>;
  readonly summary: string;
  /** The options of this command beyond COMMON_OPTIONS; any other is refused. */
  readonly options: readonly OptionName[];
}

export const COMMANDS = {
  'fetch-manifest': {
    run: fetchManifest,
    summary: 'broker the manifest from Snowball into the manifest vault (POST)',
    options: ['job-id'],
  },
  'get-manifest': {
    run: getManifest,
    summary: 'download the stored manifest to --out FILE (or - for stdout), SHA-256 verified, mode 0600',
    options: ['job-id', 'out', 'force'],
  },
  'fetch-unlock-code': {
    run: fetchUnlockCode,
    summary: 'broker the unlock code into the unlock-code vault (POST); never prints it',
    options: ['job-id'],
  },
  'get-unlock-code': { run: getUnlockCode, summary: 'print the stored unlock code alone on stdout', options: ['job-id'] },
  status: { run: status, summary: "every job Snowball lists and what your role's vault holds for it", options: [] },
} as const satisfies Record<string, Command>;
export type CommandName = keyof typeof COMMANDS;
