import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { AwsCredentialIdentity } from './client';
import { CLI_API_URL_ENV, OUTPUTS } from '../lib/contract';
import { CliError, EXIT } from './errors';

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

async function regionOfProfile(profile: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const name = profile ?? env.AWS_PROFILE ?? 'default';
  try {
    const { configFile } = await loadSharedConfigFiles();
    return configFile[name]?.region;
  } catch {
    return undefined;
  }
}

/** --region, else AWS_REGION / AWS_DEFAULT_REGION, else the API URL's host, else the profile's region. */
export async function resolveRegion(options: ConnectionOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const region =
    options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionOfUrl(options.apiUrl ?? env[CLI_API_URL_ENV]) ?? (await regionOfProfile(options.profile, env));
  if (!region) throw new CliError('no AWS region: pass --region or set AWS_REGION.', EXIT.usage);
  return region;
}

/**
 * Reads the `ApiUrl` output of a deployed broker stack. The CloudFormation client is loaded only
 * here (a chunk of its own in the built CLI), so commands given --api-url never pay for it.
 */
export async function apiUrlOfStack(stack: string, region: string, credentials: AwsCredentialIdentity, client?: CloudFormationClient): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = client ?? new CloudFormationClient({ region, credentials });
  let outputs;
  try {
    outputs = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.Outputs;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ValidationError') throw new CliError(`no stack "${stack}" in ${region}: check --stack and --region.`, EXIT.usage);
    throw new CliError(`could not read stack "${stack}" from CloudFormation (${name}).`, EXIT.environment);
  }
  const url = outputs?.find((o) => o.OutputKey === OUTPUTS.apiUrl)?.OutputValue;
  if (!url) throw new CliError(`stack "${stack}" has no ${OUTPUTS.apiUrl} output: is it a snowball-credential-broker stack?`, EXIT.usage);
  return url;
}

/** --api-url, else SNOWBALL_BROKER_API_URL, else the --stack output. */
export async function resolveApiUrl(options: ConnectionOptions, env: NodeJS.ProcessEnv, region: string, credentials: () => Promise<AwsCredentialIdentity>): Promise<string> {
  const direct = options.apiUrl ?? env[CLI_API_URL_ENV];
  if (direct) {
    if (!/^https?:\/\//.test(direct)) throw new CliError(`the API URL "${direct}" is not an http(s) URL.`, EXIT.usage);
    return direct;
  }
  if (options.stack) return apiUrlOfStack(options.stack, region, await credentials());
  throw new CliError(`no broker API URL: pass --api-url URL, set ${CLI_API_URL_ENV}, or pass --stack NAME.`, EXIT.usage);
}
