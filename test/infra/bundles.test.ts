import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { bundlePaths, FAKE_FUNCTION_ENV } from '../../scripts/bundles';
import { synthBroker } from '../helpers/synth';

/**
 * The one real synth of the suite: esbuild bundles every function exactly as `cdk deploy` would,
 * and each bundle is then loaded in a fresh Node process (ESM + bundled SDK, aws-cdk#29310).
 */
const { app, stack } = synthBroker({}, true);
const assembly = app.synth();

const bundles = bundlePaths(assembly, stack.stackName);
const API_FUNCTIONS = ['ManifestFunction', 'UnlockCodeFunction'];

function load(file: string, call: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); ${call}`], {
    env: { ...process.env, ...FAKE_FUNCTION_ENV },
    encoding: 'utf8',
  });
}

it('builds a bundle for every function: two API functions and, per vault, a reconcile and a notification trigger', () => {
  expect(Object.keys(bundles).sort()).toEqual(
    ['LifecycleManifestNotification', 'LifecycleManifestReconcile', 'LifecycleUnlockCodeNotification', 'LifecycleUnlockCodeReconcile', ...API_FUNCTIONS].sort(),
  );
});

describe.each(Object.keys(bundles))('%s bundle', (name) => {
  it('is a minified ESM file that loads in a fresh Node process and exports a handler', () => {
    const file = bundles[name];
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(readFileSync(file, 'utf8')).toContain('createRequire');
    const run = API_FUNCTIONS.includes(name)
      ? load(file, `const e = await m.handler({httpMethod:'GET',resource:'/x',pathParameters:{jobId:'bad'},requestContext:{identity:{}}}); console.log(typeof m.handler, e.statusCode);`)
      : load(file, 'console.log(typeof m.handler, 400);');
    expect(run.stderr).not.toMatch(/Dynamic require|Cannot find module|SyntaxError/);
    expect(run.stdout.trim().split('\n').pop()).toBe('function 400');
  });
});
