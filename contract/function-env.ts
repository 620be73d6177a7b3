import { ENV } from './deployment';
import type { OperatorKind } from './vaults';

/**
 * The environment of each vault's functions, built from values by one function per vault: the
 * constructs pass CDK tokens (the bucket's name, the key's ARN), the sandbox its own names, the
 * bundle test fakes. test/infra/function-env.test.ts holds the stack's and the sandbox's to each other.
 */
export interface FunctionEnvValues {
  readonly manifest: {
    readonly bucketName: string;
  };
  readonly unlockCode: {
    readonly secretPrefix: string;
    readonly keyArn: string;
    /** The unlock-code operator role: the only reader the secrets' policy admits. */
    readonly readerRoleArn: string;
    /** The function's own role. */
    readonly brokerRoleArn: string;
    /** Besides the function, who may restore a retired secret (deployer, break-glass); none leaves the variable unset. */
    readonly restorerArns: readonly string[];
    readonly retireRecoveryDays: number;
  };
}

const BUILD: { [K in OperatorKind]: (values: FunctionEnvValues[K]) => Record<string, string> } = {
  manifest: (v) => ({ [ENV.manifestBucket]: v.bucketName }),
  unlockCode: (v) => ({
    [ENV.unlockCodeSecretPrefix]: v.secretPrefix,
    [ENV.unlockCodeKeyArn]: v.keyArn,
    [ENV.unlockCodeReaderRoleArn]: v.readerRoleArn,
    [ENV.unlockCodeBrokerRoleArn]: v.brokerRoleArn,
    ...(v.restorerArns.length ? { [ENV.unlockCodeRestorerArns]: v.restorerArns.join(',') } : {}),
    [ENV.retireRecoveryDays]: String(v.retireRecoveryDays),
  }),
};

/** The variables the stack sets on every function (API, schedule, notification) of the `kind` vault. */
export function functionEnv<K extends OperatorKind>(kind: K, values: FunctionEnvValues[K]): Record<string, string> {
  return BUILD[kind](values);
}
