import { parseArgs } from 'node:util';
import { CLI_API_URL_ENV } from './connection';
import { JOB_ID_PATTERN } from '../contract/api';
import { jobIdShape } from './answers';
import { DEFAULT_CALL_POLICY, resolveCredentials, type AwsCredentialIdentity, type CallPolicy } from './client';
import { COMMANDS, COMMON_OPTIONS, type CommandName, type OptionName } from './commands';
import { resolveApiUrl, resolveRegion } from './connection';
import { CliError, EXIT } from './errors';
import { printable } from './printable';
import { VERSION } from './version';

/** No defaults: an option parseArgs returns is one the operator gave, so a command can refuse it. */
const OPTIONS = {
  'job-id': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  'api-url': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  'no-retry': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const { prefixes, example } = jobIdShape();

const OPTION_HELP: Record<OptionName, string> = {
  'job-id': `--job-id JOB_ID    the Snowball job: ${prefixes} and a lowercase UUID, e.g. ${example}`,
  out: '--out FILE         where the manifest goes (mode 0600, all or nothing); - for standard output (not a terminal)',
  force: '--force            replace FILE if it is a regular file (never a link, directory or device)',
  'api-url': `--api-url URL      the broker API, the stack's ApiUrl output (or ${CLI_API_URL_ENV}, or --stack); https://, or http:// to this machine`,
  stack: '--stack NAME       read the ApiUrl output of a deployed broker stack from CloudFormation',
  region: '--region REGION    AWS region (default: AWS_REGION, the API URL, the profile)',
  profile: '--profile NAME     AWS profile; credentials come from the standard AWS provider chain',
  json: '--json             machine-readable output, and failures as one JSON line on stderr',
  timeout: `--timeout SECONDS  wait at most this long for each answer (default ${DEFAULT_CALL_POLICY.timeoutMs / 1000})`,
  'no-retry': `--no-retry         one attempt; by default throttled (429), unavailable (503) and reset calls are tried ${DEFAULT_CALL_POLICY.maxAttempts} times`,
  help: '-h, --help         this help',
};

const takes = (command: CommandName): OptionName[] => [...COMMANDS[command].options, ...COMMON_OPTIONS];

function usage(command?: CommandName): string {
  if (!command) {
    return [
      'Usage: snowball-broker COMMAND [options]',
      '',
      'Commands:',
      ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`),
      '',
      '"snowball-broker COMMAND --help" lists the options of a command; --version prints the version.',
    ].join('\n');
  }
  const required = COMMANDS[command].options.includes('job-id' as never) ? ' --job-id JOB_ID' : '';
  const out = command === 'get-manifest' ? ' --out FILE [--force]' : '';
  return [
    `Usage: snowball-broker ${command}${required}${out} [options]`,
    `  ${COMMANDS[command].summary}`,
    '',
    'Options:',
    ...takes(command).map((o) => `  ${OPTION_HELP[o]}`),
  ].join('\n');
}

function callPolicy(timeout: string | undefined, noRetry: boolean): CallPolicy {
  const seconds = timeout === undefined ? DEFAULT_CALL_POLICY.timeoutMs / 1000 : Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new CliError(`--timeout takes a positive number of seconds, at most 3600; got "${printable(String(timeout))}".`, EXIT.usage);
  }
  return { timeoutMs: Math.round(seconds * 1000), maxAttempts: noRetry ? 1 : DEFAULT_CALL_POLICY.maxAttempts };
}

/** Node's parser explains itself in several sentences; the operator gets one, naming the option. */
function parseFailure(err: Error & { code?: string }): CliError {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new CliError(
        `unknown option ${printable(option)}: "snowball-broker COMMAND --help" lists the options of each command.`,
        EXIT.usage,
      );
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take/.test(err.message)
        ? new CliError(`${printable(option)} takes no value: give it alone.`, EXIT.usage)
        : new CliError(
            `${printable(option)} needs a value: ${printable(option)} VALUE (see "snowball-broker COMMAND --help").`,
            EXIT.usage,
          );
    default:
      return new CliError('the command line could not be read: see "snowball-broker --help".', EXIT.usage);
  }
}

/** The command and its checked job id, or a failure that says what to type instead. */
function commandOf(positionals: string[], given: OptionName[], jobIdValue: string | undefined): { name: CommandName; jobId: string } {
  const name = positionals[0];
  if (!Object.hasOwn(COMMANDS, name))
    throw new CliError(`unknown command "${printable(name)}": commands are ${Object.keys(COMMANDS).join(', ')}.`, EXIT.usage);
  const command = name as CommandName;
  const extra = positionals[1];
  const takesJob = COMMANDS[command].options.includes('job-id' as never);
  if (extra !== undefined && takesJob && JOB_ID_PATTERN.test(extra) && jobIdValue === undefined) {
    throw new CliError(`the job id goes after --job-id: snowball-broker ${command} --job-id ${extra}`, EXIT.usage);
  }
  if (extra !== undefined)
    throw new CliError(`${command} takes no argument "${printable(extra)}": see "snowball-broker ${command} --help".`, EXIT.usage);
  const refused = given.filter((o) => !takes(command).includes(o));
  if (refused.length) throw new CliError(`${command} takes no --${refused[0]}: see "snowball-broker ${command} --help".`, EXIT.usage);
  if (!takesJob) return { name: command, jobId: '' };
  if (jobIdValue === undefined) throw new CliError(`${command} needs --job-id JOB_ID, e.g. --job-id ${example}.`, EXIT.usage);
  if (!JOB_ID_PATTERN.test(jobIdValue)) {
    throw new CliError(
      `bad job id "${printable(jobIdValue)}": expected ${prefixes} followed by a lowercase UUID, e.g. ${example}.`,
      EXIT.usage,
    );
  }
  return { name: command, jobId: jobIdValue };
}

/** Where a command's output goes; the process entry wires it to the real streams. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutBytes: (bytes: Buffer) => Promise<void>;
  readonly stdoutIsTty: boolean;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw parseFailure(err as Error);
  }
  const { values, positionals } = parsed;
  if (values.version) return io.stdout(VERSION);
  if (positionals.length === 0) {
    if (values.help) return io.stdout(usage());
    throw new CliError('no command given: "snowball-broker --help" lists the commands.', EXIT.usage);
  }
  if (values.help && Object.hasOwn(COMMANDS, positionals[0])) return io.stdout(usage(positionals[0] as CommandName));
  const given = (Object.keys(values) as (OptionName | 'version')[]).filter((o): o is OptionName => o !== 'version');
  const { name, jobId } = commandOf(positionals, given, values['job-id']);
  const policy = callPolicy(values.timeout, values['no-retry'] ?? false);
  const options = { apiUrl: values['api-url'], stack: values.stack, region: values.region, profile: values.profile };
  const region = await resolveRegion(options, env);
  let credentials: Promise<AwsCredentialIdentity> | undefined;
  const credentialsOnce = () =>
    (credentials ??= resolveCredentials(values.profile, env, (line) => io.stderr(`snowball-broker: note: ${line}`)));
  // A given URL is checked before credentials are looked for; --stack needs them first.
  const apiUrl = await resolveApiUrl(options, env, region, credentialsOnce);
  await COMMANDS[name].run({
    connection: { apiUrl, region, profile: values.profile, policy },
    credentials: await credentialsOnce(),
    jobId,
    json: values.json ?? false,
    out: values.out,
    force: values.force ?? false,
    ...io,
  });
}

/** Writes all of `bytes` to standard output, resolving once the stream took them, failing if it broke (EPIPE). */
function writeStdout(bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(bytes, (err) =>
      err
        ? reject(
            new CliError(
              `could not write to standard output (${(err as NodeJS.ErrnoException).code ?? 'error'}): the reader stopped; run the command again.`,
            ),
          )
        : resolve(),
    ),
  );
}

/** One failure, one line on stderr: text, or with --json the JSON error shape of the broker. */
export function failureLine(err: unknown, json: boolean): { line: string; exitCode: number } {
  const known = err instanceof CliError;
  const message = known ? printable(err.message) : 'unexpected failure: run the command again, and report it if it persists.';
  const exitCode = known ? err.exitCode : EXIT.failed;
  if (json) return { line: JSON.stringify({ error: { code: known ? err.code : 'InternalError', message, exitCode } }), exitCode };
  return { line: `snowball-broker: ${message}`, exitCode };
}

/** The process entry: one line on stderr and a non-zero exit code for every failure. */
export function main(): void {
  const argv = process.argv.slice(2);
  process.stdout.on('error', () => undefined);
  const io: Io = {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    stdoutBytes: writeStdout,
    stdoutIsTty: process.stdout.isTTY === true,
  };
  run(argv, process.env, io).catch((err: unknown) => {
    const { line, exitCode } = failureLine(err, argv.includes('--json'));
    process.stderr.write(`${line}\n`);
    process.exitCode = exitCode;
  });
}
