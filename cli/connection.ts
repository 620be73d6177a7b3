import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { AwsCredentialIdentity } from './client';
import { OUTPUTS } from '../contract/deployment';
import { CliError, EXIT } from './errors';
import { printable } from './printable';

/** The operator CLI reads the API URL from here when `--api-url` is not given. */
export const CLI_API_URL_ENV = 'SNOWBALL_BROKER_API_URL';

export interface ConnectionOptions {
  readonly apiUrl?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** A deployed API's region is in its host name: `ID.execute-api.REGION.amazonaws.com`. */
function regionOfUrl(apiUrl: string | undefined): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(apiUrl ?? '')?.[1];
}

/** The profile's region; a profile named but found in neither shared file is refused by name. */
async function regionOfProfile(profile: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const named = profile ?? env.AWS_PROFILE;
  let files;
  try {
    files = await loadSharedConfigFiles();
  } catch {
    return undefined;
  }
  const name = named ?? 'default';
  if (named && !files.configFile[name] && !files.credentialsFile[name]) {
    throw new CliError(
      `profile "${printable(named)}" is in neither ~/.aws/config nor ~/.aws/credentials: check --profile or AWS_PROFILE ("aws configure list-profiles" lists them).`,
      EXIT.environment,
    );
  }
  return files.configFile[name]?.region;
}

/** --region, else AWS_REGION / AWS_DEFAULT_REGION, else the API URL's host, else the profile's region. */
export async function resolveRegion(options: ConnectionOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const profileRegion = await regionOfProfile(options.profile, env);
  const region =
    options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionOfUrl(options.apiUrl ?? env[CLI_API_URL_ENV]) ?? profileRegion;
  if (!region) throw new CliError('no AWS region: pass --region, set AWS_REGION, or set region in your AWS profile.', EXIT.usage);
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d$/.test(region))
    throw new CliError(`"${printable(region)}" is not an AWS region name (e.g. us-east-1): check --region or AWS_REGION.`, EXIT.usage);
  return region;
}

/**
 * Reads the `ApiUrl` output of a deployed broker stack. The CloudFormation client is loaded only
 * here (a chunk of its own in the built CLI), so commands given --api-url never pay for it.
 */
export async function apiUrlOfStack(
  stack: string,
  region: string,
  credentials: AwsCredentialIdentity,
  client?: CloudFormationClient,
): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = client ?? new CloudFormationClient({ region, credentials });
  let outputs;
  try {
    outputs = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs;
  } catch (err) {
    const name = (err as Error).name;
    const code = (err as NodeJS.ErrnoException).code;
    if (name === 'ValidationError')
      throw new CliError(`no stack "${printable(stack)}" in ${region}: check --stack and --region.`, EXIT.usage);
    if (code && /^E[A-Z]+$/.test(code)) {
      throw new CliError(
        `cannot reach CloudFormation in ${region} to read stack "${printable(stack)}" (${code}): check your network, or pass --api-url instead of --stack.`,
        EXIT.environment,
      );
    }
    throw new CliError(
      `could not read stack "${printable(stack)}" from CloudFormation (${printable(name)}): check your credentials and --region.`,
      EXIT.environment,
    );
  }
  const url = outputs?.find((o) => o.OutputKey === OUTPUTS.apiUrl)?.OutputValue;
  if (!url) throw new CliError(`stack "${stack}" has no ${OUTPUTS.apiUrl} output: is it a snowball-credential-broker stack?`, EXIT.usage);
  return url;
}

/** Hosts plain http:// may go to: this machine only (the local sandbox), never a network a request could be read on. */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** An API URL: https://, or http:// to a loopback host; anything else is refused before any call. */
export function checkApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`the API URL "${printable(raw)}" is not a URL: use the stack's ApiUrl output (https://…/v1/).`, EXIT.usage);
  }
  if (url.protocol === 'https:') return raw;
  if (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname)) return raw;
  if (url.protocol === 'http:') {
    throw new CliError(
      `the API URL "${printable(raw)}" is plain http:// to another host; signed requests and answers would cross the network unencrypted: use https://.`,
      EXIT.usage,
    );
  }
  throw new CliError(`the API URL "${printable(raw)}" is not an https:// URL: use the stack's ApiUrl output.`, EXIT.usage);
}

/** --api-url, else SNOWBALL_BROKER_API_URL, else the --stack output. */
export async function resolveApiUrl(
  options: ConnectionOptions,
  env: NodeJS.ProcessEnv,
  region: string,
  credentials: () => Promise<AwsCredentialIdentity>,
): Promise<string> {
  const direct = options.apiUrl ?? env[CLI_API_URL_ENV];
  if (direct) return checkApiUrl(direct);
  if (options.stack) return checkApiUrl(await apiUrlOfStack(options.stack, region, await credentials()));
  throw new CliError(`no broker API URL: pass --api-url URL, set ${CLI_API_URL_ENV}, or pass --stack NAME.`, EXIT.usage);
}
