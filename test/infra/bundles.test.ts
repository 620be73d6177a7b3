import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { functionLogicalIdPrefix, OPERATOR_KINDS, TRIGGERS, VAULTS } from '../../contract/vaults';
import { bundlePaths, FAKE_FUNCTION_ENV } from '../../tools/bundles';
import { findNode24, NODE24_VERSION } from '../../tools/node24';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { synthBroker } from '../helpers/synth';

/**
 * The one real synth of the suite: esbuild bundles every function exactly as `cdk deploy` would,
 * and each bundle is then loaded in a fresh Node process (ESM + bundled SDK, aws-cdk#29310).
 */
const { app, stack } = synthBroker({}, true);
const assembly = app.synth();

const bundles = bundlePaths(assembly, stack.stackName);
const API = { manifest: functionLogicalIdPrefix('manifest', 'api'), unlockCode: functionLogicalIdPrefix('unlockCode', 'api') };

/**
 * Lambda's Node (24): the bundles must load there, not only on this machine's Node. Nothing is
 * downloaded here; without it the Node 24 leg is skipped, and test/global-setup.ts says how to get it.
 */
const NODE24 = findNode24();
const NODES: Record<string, string> = {
  [`Node ${process.versions.node}`]: process.execPath,
  ...(NODE24 ? { [`Node ${NODE24_VERSION}`]: NODE24 } : {}),
};

function load(file: string, call: string, node = process.execPath, env: Record<string, string> = FAKE_FUNCTION_ENV) {
  return spawnSync(node, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); ${call}`], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
}

it('builds a bundle for every function: two API functions and, per vault, a reconcile and a notification trigger', () => {
  expect(Object.keys(bundles).sort()).toEqual(
    OPERATOR_KINDS.flatMap((kind) => TRIGGERS.map((trigger) => functionLogicalIdPrefix(kind, trigger))).sort(),
  );
});

/** Size targets (issue 10): the API functions' bundles, in KiB. */
const MAX_KIB: Record<string, number> = { [API.manifest]: 340, [API.unlockCode]: 210 };

/** The package directories a bundle took `pkg` from, per esbuild's metafile beside it. */
function copiesOf(file: string, pkg: string): string[] {
  const meta = JSON.parse(readFileSync(file.replace(/index\.mjs$/, 'index.meta.json'), 'utf8'));
  const dirs = Object.keys(meta.inputs)
    .map((input) => new RegExp(`^(.*node_modules/${pkg})/`).exec(input)?.[1])
    .filter(Boolean);
  return [...new Set(dirs as string[])];
}

describe.each(Object.keys(bundles))('%s bundle', (name) => {
  it('carries one SDK core: a single @smithy/core and @smithy/signature-v4, and no default credential chain', () => {
    expect(copiesOf(bundles[name], '@smithy/core')).toHaveLength(1);
    expect(copiesOf(bundles[name], '@smithy/signature-v4')).toHaveLength(1);
    expect(copiesOf(bundles[name], '@aws-sdk/credential-provider-node')).toEqual([]);
    expect(copiesOf(bundles[name], '@aws-sdk/client-sts')).toEqual([]);
  });

  if (MAX_KIB[name]) {
    it(`stays within ${MAX_KIB[name]} KiB`, () => {
      expect(statSync(bundles[name]).size / 1024).toBeLessThanOrEqual(MAX_KIB[name]);
    });
  }

  it.each(Object.entries(NODES))('is a minified ESM file that loads in a fresh %s process and answers its trigger', (_node, node) => {
    const file = bundles[name];
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(readFileSync(file, 'utf8')).toContain('createRequire');
    const { call, answer } = smokeCall(name);
    const run = load(file, call, node);
    expect(run.stderr).not.toMatch(/Dynamic require|Cannot find module|SyntaxError/);
    expect(run.stdout.trim().split('\n').pop()).toBe(answer);
  });
});

/**
 * A call each kind of entry answers without reaching AWS, and its answer: an API function refuses
 * a bad job id (400), a notification entry drops a message that names no job, and a scheduled
 * entry exports its handler (a pass would call Snowball).
 */
function smokeCall(name: string): { call: string; answer: string } {
  if (Object.values(API).includes(name)) {
    const event = { httpMethod: 'POST', resource: '/x', pathParameters: { jobId: 'bad' }, requestContext: { identity: {} } };
    return {
      call: `const e = await m.handler(${JSON.stringify(event)}); console.log(e.statusCode, JSON.parse(e.body).error.code);`,
      answer: '400 InvalidJobId',
    };
  }
  if (name.endsWith('Notification')) {
    const event = { Records: [{ messageId: 'm1', body: 'no job named here' }] };
    return { call: `console.log(JSON.stringify(await m.handler(${JSON.stringify(event)})));`, answer: '{"batchItemFailures":[]}' };
  }
  return { call: 'console.log(typeof m.handler);', answer: 'function' };
}

/** As `load`, without blocking this process: the sandbox answering the bundle runs here. */
function loadAsync(file: string, call: string, node: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve) =>
    execFile(
      node,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); ${call}`],
      { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (_err, stdout) => resolve(stdout),
    ),
  );
}

(NODE24 ? describe : describe.skip)('the built API bundles, on Node 24, against the sandbox stand-ins over HTTP', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, functionLog: () => undefined });
  });
  afterAll(() => sandbox.stop());

  it.each([
    [API.manifest, 'manifest', '/jobs/{jobId}/manifest'],
    [API.unlockCode, 'unlockCode', '/jobs/{jobId}/unlock-code'],
  ] as const)('%s brokers a job with environment-only credentials (201)', async (name, kind, resource) => {
    const jobId = sandbox.info.jobs[0].jobId;
    const caller = (kind === 'manifest' ? sandbox.principals.manifest : sandbox.principals.unlockCode).callerArn;
    const event = { httpMethod: 'POST', resource, pathParameters: { jobId }, requestContext: { identity: { userArn: caller } } };
    const stdout = await loadAsync(
      bundles[name],
      `const e = await m.handler(${JSON.stringify(event)}); console.log(e.statusCode, JSON.parse(e.body).jobId);`,
      NODE24!,
      sandbox.functionEnv[kind],
    );
    expect(stdout.trim().split('\n').pop()).toBe(`201 ${jobId}`);
  });

  it('every deployed bundle, fed a forged API event naming the operator (as anyone with lambda:InvokeFunction can), returns no credential', async () => {
    const jobId = sandbox.info.jobs[0].jobId;
    const kinds = [
      ['manifest', '/jobs/{jobId}/manifest'],
      ['unlockCode', '/jobs/{jobId}/unlock-code'],
    ] as const;
    for (const [kind, resource] of kinds) {
      const name = API[kind];
      const brokered = {
        httpMethod: 'POST',
        resource,
        pathParameters: { jobId },
        requestContext: { identity: { userArn: sandbox.principals[kind].callerArn } },
      };
      await loadAsync(bundles[name], `await m.handler(${JSON.stringify(brokered)});`, NODE24!, sandbox.functionEnv[kind]);
    }
    const code = sandbox.snowball.jobs.get(jobId)!.unlockCode;
    const manifest = sandbox.snowball.jobs.get(jobId)!.manifest.toString('base64');
    expect(sandbox.secrets.secrets.get(`snowball/unlock-code/${jobId}`)!.versions.size).toBe(1);
    for (const [name, file] of Object.entries(bundles)) {
      const kind = name.startsWith(VAULTS.manifest.functionsId) ? 'manifest' : 'unlockCode';
      const resource = kinds.find(([k]) => k === kind)![1];
      const forged = {
        httpMethod: 'GET',
        resource,
        path: resource.replace('{jobId}', jobId),
        pathParameters: { jobId },
        requestContext: { identity: { userArn: sandbox.principals[kind].callerArn } },
      };
      const call = `try { const e = await m.handler(${JSON.stringify(forged)}); console.log('answer', JSON.stringify(e)); } catch (err) { console.log('threw', err.name); }`;
      const stdout = await loadAsync(file, call, NODE24!, sandbox.functionEnv[kind]);
      expect(stdout).toMatch(/^(answer|threw) /m);
      expect(stdout).not.toContain(code);
      expect(stdout).not.toContain(manifest.slice(0, 40));
      if (Object.values(API).includes(name))
        expect(JSON.parse(stdout.trim().split('\n').pop()!.slice('answer '.length)).statusCode).toBe(405);
    }
  }, 120_000);
});
