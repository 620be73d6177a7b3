import { DEFAULTS, ENV } from '../contract/deployment';
import { functionEnv } from '../contract/function-env';
import { OPERATOR_KINDS, VAULTS, type OperatorKind } from '../contract/vaults';
import { startFunction, type RunningFunction } from './function-runtime';
import { SANDBOX_ACCOUNT, type PrincipalName, type SandboxPrincipal } from './identities';
import type { S3StandIn } from './s3-standin';
import type { SecretsStandIn } from './secrets-standin';
import type { SnowballStandIn } from './snowball-standin';

/** The stand-ins the functions talk to. */
export interface StandIns {
  readonly snowball: SnowballStandIn;
  readonly s3: S3StandIn;
  readonly secrets: SecretsStandIn;
}

/** The fake ARN of a vault's key in the sandbox's account. */
export const KEY_ARN = (region: string, kind: OperatorKind) => `arn:aws:kms:${region}:${SANDBOX_ACCOUNT}:key/sandbox-${kind}-key`;

/** What Lambda itself puts in every function's environment, as the sandbox gives it. */
export const LAMBDA_ENV_NAMES = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
] as const;

/** What every function's environment holds, as Lambda's does: region, its own role's credentials. */
function baseEnv(region: string, self: SandboxPrincipal): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: self.accessKeyId,
    AWS_SECRET_ACCESS_KEY: self.secretAccessKey,
    AWS_SESSION_TOKEN: self.sessionToken,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * What the sandbox sets that the stack does not, per vault: the loopback origin of its Snowball
 * stand-in's manifests and the download timeout its tests shorten. Everything else the stack sets
 * comes from the same `functionEnv` (test/infra/function-env.test.ts compares the two).
 */
export const SANDBOX_ONLY_ENV: Record<OperatorKind, readonly string[]> = {
  manifest: [ENV.manifestExtraOrigin, ENV.manifestDownloadTimeoutMs],
  unlockCode: [],
};

/**
 * Each function's whole environment: what Lambda gives it (region, its own role's credentials),
 * the standard SDK endpoint settings pointing at the stand-ins, and the variables the stack sets,
 * from the same `functionEnv` as the stack with the sandbox's names. The handler code has no
 * sandbox branches.
 */
export function functionEnvs(
  stand: StandIns,
  principals: Record<PrincipalName, SandboxPrincipal>,
  region: string,
  downloadTimeoutMs: number,
) {
  const endpoints: Record<string, string> = {
    AWS_ENDPOINT_URL_SNOWBALL: stand.snowball.endpoint,
    AWS_ENDPOINT_URL_S3: stand.s3.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stand.secrets.endpoint,
  };
  const lambdaEnv = (kind: OperatorKind, self: SandboxPrincipal) => ({
    ...baseEnv(region, self),
    ...Object.fromEntries(VAULTS[kind].endpointEnv.map((name) => [name, endpoints[name]])),
  });
  return {
    manifest: {
      ...lambdaEnv('manifest', principals.manifestFunction),
      ...functionEnv('manifest', { bucketName: stand.s3.bucket }),
      [ENV.manifestExtraOrigin]: stand.snowball.manifestOrigin,
      [ENV.manifestDownloadTimeoutMs]: String(downloadTimeoutMs),
    },
    unlockCode: {
      ...lambdaEnv('unlockCode', principals.unlockCodeFunction),
      ...functionEnv('unlockCode', {
        secretPrefix: DEFAULTS.secretPrefix,
        keyArn: KEY_ARN(region, 'unlockCode'),
        readerRoleArn: principals.unlockCode.roleArn,
        brokerRoleArn: principals.unlockCodeFunction.roleArn,
        // The sandbox models no deployer or break-glass role: only the function restores.
        restorerArns: [],
        retireRecoveryDays: DEFAULTS.retireRecoveryDays,
      }),
    },
  };
}

/** Each vault's function with its other triggers, as the stack deploys them (one role, one environment, the descriptor's entries). */
export async function startFunctions(
  envs: Record<OperatorKind, Record<string, string>>,
  log: ((functionName: string, line: string) => void) | undefined,
) {
  const write = log ?? ((name: string, line: string) => void process.stdout.write(`[${name}] ${line}\n`));
  const started = await Promise.allSettled(
    OPERATOR_KINDS.map((kind) =>
      startFunction({ name: VAULTS[kind].functionId, entries: VAULTS[kind].entries, env: envs[kind], log: write }),
    ),
  );
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  const [manifest, unlockCode] = started.map((s) => (s as PromiseFulfilledResult<RunningFunction>).value);
  return { manifest, unlockCode };
}
