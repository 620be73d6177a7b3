import { parseArgs } from 'node:util';
import { CLI_API_URL_ENV, JOB_ID_PATTERN, JOB_ID_SHAPE } from '../lib/contract';
import { DEFAULT_CALL_POLICY, resolveCredentials, type CallPolicy } from './client';
import { COMMANDS, type CommandName } from './commands';
import { resolveApiUrl, resolveRegion } from './connection';
import { CliError, EXIT } from './errors';

const OPTIONS = {
  'job-id': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean', default: false },
  'api-url': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  'no-retry': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function usage(command?: CommandName): string {
  const jobArg = command === 'status' ? '' : ' --job-id JID…';
  const head = command ? `snowball-broker ${command}${jobArg}${command === 'get-manifest' ? ' --out FILE [--force]' : ''} [options]\n  ${COMMANDS[command].summary}` : 'snowball-broker COMMAND [--job-id JID…] [options]';
  return [
    `Usage: ${head}`,
    ...(command ? [] : ['', 'Commands:', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`)]),
    '',
    'Options:',
    '  --job-id JID…     the Snowball job, e.g. JID123e4567-e89b-12d3-a456-426655440000',
    `  --api-url URL     the broker API (or ${CLI_API_URL_ENV}, or --stack)`,
    '  --stack NAME      read the ApiUrl output of a deployed broker stack',
    '  --region REGION   AWS region (default: AWS_REGION, the API URL, the profile)',
    '  --profile NAME    AWS profile; credentials come from the standard AWS provider chain',
    '  --json            machine-readable output',
    `  --timeout SECONDS wait at most this long for each answer (default ${DEFAULT_CALL_POLICY.timeoutMs / 1000})`,
    `  --no-retry        do not retry throttled (429) or unavailable (503) answers and broken connections (default: ${DEFAULT_CALL_POLICY.maxAttempts} attempts)`,
    '  -h, --help        this help',
  ].join('\n');
}

function callPolicy(timeout: string | undefined, noRetry: boolean): CallPolicy {
  const seconds = timeout === undefined ? DEFAULT_CALL_POLICY.timeoutMs / 1000 : Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new CliError(`--timeout takes a positive number of seconds, at most 3600; got "${timeout}".`, EXIT.usage);
  }
  return { timeoutMs: Math.round(seconds * 1000), maxAttempts: noRetry ? 1 : DEFAULT_CALL_POLICY.maxAttempts };
}

export async function run(argv: string[], env: NodeJS.ProcessEnv, stdout: (t: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}. See snowball-broker --help.`, EXIT.usage);
  }
  const { values, positionals } = parsed;
  const name = positionals[0] as CommandName | undefined;
  if (values.help || !name) return stdout(usage(name && name in COMMANDS ? name : undefined));
  if (!(name in COMMANDS) || positionals.length > 1) throw new CliError(`unknown command "${positionals.join(' ')}"; commands: ${Object.keys(COMMANDS).join(', ')}.`, EXIT.usage);
  const jobId = values['job-id'] ?? '';
  const takesJob = !('noJobId' in COMMANDS[name]);
  if (!takesJob && values['job-id'] !== undefined) throw new CliError(`${name} takes no --job-id: it lists every job.`, EXIT.usage);
  if (takesJob && !JOB_ID_PATTERN.test(jobId)) {
    throw new CliError(`bad job id "${jobId}": expected ${JOB_ID_SHAPE}.`, EXIT.usage);
  }
  const policy = callPolicy(values.timeout, values['no-retry']);
  const options = { apiUrl: values['api-url'], stack: values.stack, region: values.region, profile: values.profile };
  const region = await resolveRegion(options, env);
  const credentials = await resolveCredentials(values.profile);
  const apiUrl = await resolveApiUrl(options, env, region, async () => credentials);
  await COMMANDS[name].run({ connection: { apiUrl, region, profile: values.profile, policy }, credentials, jobId, json: values.json, out: values.out, force: values.force, stdout });
}

/** The process entry: one line on stderr and a non-zero exit code for every failure. */
export function main(): void {
  run(process.argv.slice(2), process.env, (text) => process.stdout.write(`${text}\n`)).catch((err: unknown) => {
    const known = err instanceof CliError;
    process.stderr.write(`snowball-broker: ${known ? err.message : 'unexpected failure; rerun, and report it if it persists.'}\n`);
    process.exitCode = known ? err.exitCode : EXIT.failed;
  });
}
