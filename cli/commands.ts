import { createHash } from 'node:crypto';
import { MANIFEST_HEADERS } from '../lib/contract';
import { callBroker, type AwsCredentialIdentity, type Connection } from './client';
import { CliError, EXIT } from './errors';
import { checkOutputFile, writePrivateFile } from './output-file';
import { formatFleet, readFleet } from './status';

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
}

const parse = (body: Buffer) => JSON.parse(body.toString());

export async function fetchManifest(ctx: CommandContext): Promise<void> {
  const reply = await callBroker(ctx.connection, ctx.credentials, 'POST', 'manifest', ctx.jobId);
  const stored = parse(reply.body);
  if (ctx.json) return ctx.stdout(JSON.stringify(stored));
  const what = stored.unchanged ? 'already stored, unchanged' : 'stored';
  ctx.stdout(`Manifest of ${stored.jobId} ${what}: s3://${stored.bucket}/${stored.key} version ${stored.versionId}, sha256 ${stored.sha256}, ${stored.sizeBytes} bytes`);
}

export async function getManifest(ctx: CommandContext): Promise<void> {
  if (!ctx.out) throw new CliError('get-manifest needs --out FILE.', EXIT.usage);
  checkOutputFile(ctx.out, ctx.force);
  const reply = await callBroker(ctx.connection, ctx.credentials, 'GET', 'manifest', ctx.jobId, 'application/octet-stream');
  const expected = reply.headers.get(MANIFEST_HEADERS.sha256);
  const actual = createHash('sha256').update(reply.body).digest('hex');
  if (!expected || expected !== actual) {
    throw new CliError('the downloaded manifest does not match the SHA-256 the broker sent; nothing was written. Retry.');
  }
  writePrivateFile(ctx.out, reply.body, ctx.force);
  const result = { jobId: ctx.jobId, file: ctx.out, sha256: actual, sizeBytes: reply.body.length, versionId: reply.headers.get(MANIFEST_HEADERS.versionId) };
  ctx.stdout(ctx.json ? JSON.stringify(result) : `Wrote the manifest of ${ctx.jobId} to ${ctx.out} (${result.sizeBytes} bytes, sha256 ${actual} verified, mode 0600)`);
}

export async function fetchUnlockCode(ctx: CommandContext): Promise<void> {
  const reply = await callBroker(ctx.connection, ctx.credentials, 'POST', 'unlockCode', ctx.jobId);
  const { jobId, secretArn, versionId, fetchedAt, unchanged, restored } = parse(reply.body);
  const stored = { jobId, secretArn, versionId, fetchedAt, unchanged, restored };
  if (ctx.json) return ctx.stdout(JSON.stringify(stored));
  const what = restored ? 'restored from scheduled deletion' : unchanged ? 'already stored, unchanged' : 'stored';
  ctx.stdout(`Unlock code of ${jobId} ${what}: ${secretArn} version ${versionId}`);
}

export async function getUnlockCode(ctx: CommandContext): Promise<void> {
  const reply = await callBroker(ctx.connection, ctx.credentials, 'GET', 'unlockCode', ctx.jobId);
  const { jobId, unlockCode } = parse(reply.body);
  ctx.stdout(ctx.json ? JSON.stringify({ jobId, unlockCode }) : unlockCode);
}

export async function status(ctx: CommandContext): Promise<void> {
  const views = await readFleet(ctx.connection, ctx.credentials);
  if (ctx.json) return ctx.stdout(JSON.stringify(views));
  const blocks = (['manifest', 'unlockCode'] as const).filter((k) => views[k]).map((k) => formatFleet(k, views[k]!).join('\n'));
  ctx.stdout(blocks.join('\n\n'));
}

export const COMMANDS = {
  'fetch-manifest': { run: fetchManifest, summary: 'broker the manifest from Snowball into the manifest vault (POST)' },
  'get-manifest': { run: getManifest, summary: 'download the stored manifest to --out FILE, SHA-256 verified, mode 0600' },
  'fetch-unlock-code': { run: fetchUnlockCode, summary: 'broker the unlock code into the unlock-code vault (POST); never prints it' },
  'get-unlock-code': { run: getUnlockCode, summary: 'print the stored unlock code alone on stdout' },
  status: { run: status, summary: "every job Snowball lists and what your role's vault holds for it (no --job-id)", noJobId: true },
} as const;
export type CommandName = keyof typeof COMMANDS;
