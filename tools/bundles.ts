import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS } from '../contract/deployment';
import { functionEnv } from '../contract/function-env';

/** The context `cdk synth` sees: cdk.json's defaults and feature flags. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context;
}

/** Environment a bundle needs to load outside Lambda: the variables the stack sets, with fake values. */
export const FAKE_FUNCTION_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  ...functionEnv('manifest', { bucketName: 'bucket' }),
  ...functionEnv('unlockCode', {
    secretPrefix: DEFAULTS.secretPrefix,
    keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    readerRoleArn: 'arn:aws:iam::123456789012:role/reader',
    brokerRoleArn: 'arn:aws:iam::123456789012:role/broker',
    restorerArns: [],
    retireRecoveryDays: DEFAULTS.retireRecoveryDays,
  }),
};

/** The built `index.mjs` of each function of a synthesized stack, by logical-id prefix (`functionLogicalIdPrefix(kind, trigger)`). */
export function bundlePaths(assembly: CloudAssembly, stackName: string): Record<string, string> {
  const { template } = assembly.getStackByName(stackName);
  const out: Record<string, string> = {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized template is untyped JSON
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const hash = String(r.Properties.Code.S3Key).replace(/\.zip$/, '');
    out[id.replace(/[A-F0-9]{8}$/, '')] = `${assembly.directory}/asset.${hash}/index.mjs`;
  }
  return out;
}
