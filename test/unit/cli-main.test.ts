import { version } from '../../package.json';
import { run, failureLine, type Io } from '../../cli/main';
import { CliError } from '../../cli/errors';
import { COMMANDS } from '../../cli/commands';
import { jobIdShape } from '../../cli/answers';

/** The command line as the operator types it, without any network: everything here is refused or answered before a call. */
function io(stdoutIsTty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const sink: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutBytes: async () => undefined, stdoutIsTty };
  return { sink, out, err };
}
const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  SNOWBALL_BROKER_API_URL: 'http://127.0.0.1:9/v1/',
};
const JOB = 'JID123e4567-e89b-12d3-a456-426655440000';

async function failure(argv: string[], stdoutIsTty = false): Promise<CliError> {
  const { sink } = io(stdoutIsTty);
  const err = await run(argv, ENV, sink).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CliError)) throw new Error(`expected a CliError, got ${String(err)}`);
  return err;
}

describe('the command line', () => {
  it('without a command prints one line of usage and exits 2', async () => {
    const err = await failure([]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('no command given: "snowball-broker --help" lists the commands.');
  });

  it('--version prints the version', async () => {
    const { sink, out } = io();
    await run(['--version'], ENV, sink);
    expect(out).toEqual([version]);
  });

  it.each(Object.keys(COMMANDS))('%s --help lists every option it takes and none it refuses', async (name) => {
    const { sink, out } = io();
    await run([name, '--help'], ENV, sink);
    const help = out.join('\n');
    const listed = [...help.matchAll(/^\s+(?:-h, )?--([a-z-]+)/gm)].map((m) => m[1]).sort();
    const takes = [
      ...COMMANDS[name as keyof typeof COMMANDS].options,
      'api-url',
      'stack',
      'region',
      'profile',
      'json',
      'timeout',
      'no-retry',
      'help',
    ].sort();
    expect(listed).toEqual(takes);
  });

  it('get-manifest --help explains --out (and -) and --force; status --help has no --job-id', async () => {
    const get = io();
    await run(['get-manifest', '--help'], ENV, get.sink);
    expect(get.out.join('\n')).toMatch(/--out FILE .*mode 0600.*- for standard output/);
    expect(get.out.join('\n')).toMatch(/--force .*replace FILE/);
    const status = io();
    await run(['status', '--help'], ENV, status.sink);
    expect(status.out.join('\n')).not.toMatch(/--job-id/);
  });

  it.each([
    [['fetch-manifest', '--job-id', JOB, '--out', 'x'], 'fetch-manifest takes no --out: see "snowball-broker fetch-manifest --help".'],
    [['status', '--job-id', JOB], 'status takes no --job-id: see "snowball-broker status --help".'],
    [['get-unlock-code', '--job-id', JOB, '--force'], 'get-unlock-code takes no --force: see "snowball-broker get-unlock-code --help".'],
    [['fetch-manifest', JOB], `the job id goes after --job-id: snowball-broker fetch-manifest --job-id ${JOB}`],
    [['fetch-manifest'], `fetch-manifest needs --job-id JOB_ID, e.g. --job-id ${JOB}.`],
    [
      ['fetch-manifest', '--job-id', 'jid-1'],
      `bad job id "jid-1": expected ${jobIdShape().prefixes} followed by a lowercase UUID, e.g. ${JOB}.`,
    ],
    [['fetch-manifest', '--jobid', JOB], 'unknown option --jobid: "snowball-broker COMMAND --help" lists the options of each command.'],
    [['fetch-manifest', '--job-id'], '--job-id needs a value: --job-id VALUE (see "snowball-broker COMMAND --help").'],
    [['toString'], 'unknown command "toString": commands are fetch-manifest, get-manifest, fetch-unlock-code, get-unlock-code, status.'],
    [
      ['fetch-manifst', '--job-id', JOB],
      'unknown command "fetch-manifst": commands are fetch-manifest, get-manifest, fetch-unlock-code, get-unlock-code, status.',
    ],
  ])('%j is refused with exit 2: %s', async (argv, message) => {
    const err = await failure(argv as string[]);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(message);
  });

  it('refuses --out - when standard output is a terminal, before any call', async () => {
    const err = await failure(['get-manifest', '--job-id', JOB, '--out', '-'], true);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^--out - writes the binary manifest to standard output, which is a terminal here: redirect it/);
  });

  it('turns a failure into one JSON line with --json, and one text line without', () => {
    const err = new CliError('not allowed (403): …', 1, 'AccessDenied');
    expect(JSON.parse(failureLine(err, true).line)).toEqual({
      error: { code: 'AccessDenied', message: 'not allowed (403): …', exitCode: 1 },
    });
    expect(failureLine(err, false)).toEqual({ line: 'snowball-broker: not allowed (403): …', exitCode: 1 });
    expect(JSON.parse(failureLine(new Error('boom'), true).line).error.code).toBe('InternalError');
  });
});
