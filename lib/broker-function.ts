import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';

const PROJECT_ROOT = path.join(__dirname, '..');

/**
 * esbuild bundles the AWS SDK into ESM; some of its CommonJS dependencies call `require`, which
 * ESM lacks ("Dynamic require of … is not supported", aws-cdk#29310). The banner provides one.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __brokerCreateRequire } from 'node:module'; const require = __brokerCreateRequire(import.meta.url);";

/** The SDK's default credential chain, and what the functions use instead (see that file's comment). */
const DEFAULT_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
const ENV_ONLY_CREDENTIALS = './lambda/shared/env-credentials.ts';
/** The SDK's event-stream support, which no broker call uses (see that file's comment). */
const EVENT_STREAMS = '@smithy/core/event-streams';
const NO_EVENT_STREAMS = './lambda/shared/no-event-streams.ts';

export interface BrokerFunctionProps {
  /** Handler file, relative to the project root, e.g. `lambda/manifest/api-handler.ts` (the vault descriptors name them). */
  readonly entry: string;
  readonly description: string;
  /** Memory in MB. Default: 256. */
  readonly memorySize?: number;
  /** Reserved concurrency, which also caps what a flood of requests can cost. Default: 5. */
  readonly reservedConcurrency?: number;
  /**
   * The role it runs as: its vault's (`VaultFunctions`), shared by every trigger of the vault, so
   * the access matrix names one identity per vault.
   */
  readonly role: IRole;
  /** Default: 25 s, inside API Gateway's 29 s integration limit. */
  readonly timeout?: Duration;
  /** What invokes it, which decides where a failed invocation goes. Default: `api`. */
  readonly invokedBy?: 'api' | 'schedule' | 'queue';
}

/** Why no function needs a dead-letter queue of its own (cdk-nag Serverless-LambdaDLQ). */
const NO_DLQ_REASON = {
  api: 'Invoked synchronously by API Gateway only; a failure is answered to the caller, there is no async event to dead-letter.',
  schedule: 'A scheduled reconcile pass that fails is simply run again by the next scheduled pass; it carries no event worth keeping.',
  queue: "Polled from its SQS queue, whose redrive policy moves a message that keeps failing to the queue's own dead-letter queue.",
} as const;

/**
 * The house defaults for the broker's Lambda functions, set once:
 * - Node.js 24 on arm64, a minified ESM bundle with the AWS SDK inside (the version the tests ran),
 *   whose credential chain is the environment only (Lambda's) and without event-stream support;
 *   esbuild reports warnings and errors only (its size summary is the bundle test's job);
 * - a 25 s timeout (unless given), inside API Gateway's 29 s integration limit;
 * - the role it is given (its vault's), which may write to the function's own log group;
 * - its own log group, JSON logs at INFO, kept 13 months (beyond the 360-day credential window) and retained;
 * - active X-Ray tracing and reserved concurrency.
 */
export class BrokerFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: BrokerFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.THIRTEEN_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { role } = props;
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(25),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 5,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: false,
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        metafile: true,
        logLevel: LogLevel.WARNING,
        esbuildArgs: {
          [`--alias:${DEFAULT_CREDENTIAL_CHAIN}`]: ENV_ONLY_CREDENTIALS,
          [`--alias:${EVENT_STREAMS}`]: NO_EVENT_STREAMS,
        },
      },
    });
    logGroup.grantWrite(role);
    Validations.of(this).acknowledge({ id: 'Serverless-LambdaDLQ', reason: NO_DLQ_REASON[props.invokedBy ?? 'api'] });
  }
}
