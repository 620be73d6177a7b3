import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ENV } from '../../lib/contract';
import { synthBroker } from '../helpers/synth';

/**
 * The one real synth of the suite: esbuild bundles both functions exactly as `cdk deploy` would,
 * and each bundle is then loaded in a fresh Node process (ESM + bundled SDK, aws-cdk#29310).
 */
const { app, template } = synthBroker({}, true);
const assembly = app.synth();
const outdir = assembly.directory;

const FAKE_ENV = {
  AWS_REGION: 'eu-west-1',
  [ENV.manifestBucket]: 'bucket',
  [ENV.manifestReaderRoleArn]: 'arn:aws:iam::123456789012:role/reader',
  [ENV.unlockCodeSecretPrefix]: 'snowball/unlock-code/',
  [ENV.unlockCodeKeyArn]: 'arn:aws:kms:eu-west-1:123456789012:key/k',
  [ENV.unlockCodeReaderRoleArn]: 'arn:aws:iam::123456789012:role/reader',
  [ENV.unlockCodeBrokerRoleArn]: 'arn:aws:iam::123456789012:role/broker',
};

function bundleOf(prefix: string): string {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))![1] as any;
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  return path.join(outdir, `asset.${hash}`, 'index.mjs');
}

describe.each(['ManifestFunction', 'UnlockCodeFunction'])('%s bundle', (prefix) => {
  it('is a minified ESM file that loads in a fresh Node process and exports a handler', () => {
    const file = bundleOf(prefix);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(readFileSync(file, 'utf8')).toContain('createRequire');
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); const e = await m.handler({httpMethod:'GET',resource:'/x',pathParameters:{jobId:'bad'},requestContext:{identity:{}}}); console.log(typeof m.handler, e.statusCode);`],
      { env: { ...process.env, ...FAKE_ENV }, encoding: 'utf8' },
    );
    expect(run.stderr).not.toMatch(/Dynamic require|Cannot find module|SyntaxError/);
    expect(run.stdout.trim()).toBe('function 400');
  });
});
