import { ENV } from '../../contract/deployment';
import { OPERATOR_KINDS, VAULTS, type OperatorKind } from '../../contract/vaults';
import { LAMBDA_ENV_NAMES, SANDBOX_ONLY_ENV } from '../../sandbox/functions';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { synthBroker } from '../helpers/synth';

/**
 * The sandbox runs the functions with the environment the stack gives them: both come from
 * contract/function-env.ts, and this holds them to each other, function by function. A value that
 * is a token in the template (an ARN, the bucket's name) is compared by name; a literal one by value.
 */
interface Fn {
  Type: string;
  Properties: { Role?: { 'Fn::GetAtt'?: [string, string] }; Environment?: { Variables?: Record<string, unknown> } };
}
const { template } = synthBroker();
const resources = (template.toJSON() as { Resources: Record<string, Fn> }).Resources;

/** Every function of a vault (API, schedule, notification): those running as its function role. */
function functionsOf(kind: OperatorKind): [string, Record<string, unknown>][] {
  const role = new RegExp(`^${VAULTS[kind].functionId}Role[0-9A-F]{8}$`);
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && role.test(r.Properties.Role?.['Fn::GetAtt']?.[0] ?? ''))
    .map(([id, r]) => [id, r.Properties.Environment?.Variables ?? {}]);
}

/** Set by the stack only when restorers are configured (the deployer, break-glass); the sandbox models none. */
const CONFIGURED_ONLY = [ENV.unlockCodeRestorerArns];

/** What the sandbox gives a vault's functions beyond what Lambda and the SDK's endpoint settings provide. */
function sandboxStackEnv(sandbox: Sandbox, kind: OperatorKind): Record<string, string> {
  const own = new Set<string>([...LAMBDA_ENV_NAMES, ...VAULTS[kind].endpointEnv, ...SANDBOX_ONLY_ENV[kind]]);
  return Object.fromEntries(Object.entries(sandbox.functionEnv[kind]).filter(([name]) => !own.has(name)));
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, functionLog: () => undefined, alertLog: () => undefined });
});
afterAll(() => sandbox?.stop());

describe.each(OPERATOR_KINDS)('the %s vault functions', (kind) => {
  it('are three in the stack (API, schedule, notification), all with one environment', () => {
    const envs = functionsOf(kind).map(([, env]) => JSON.stringify(env));
    expect(envs).toHaveLength(3);
    expect(new Set(envs).size).toBe(1);
  });

  it('get in the sandbox every variable the stack sets, name for name, literal values equal', () => {
    const sandboxEnv = sandboxStackEnv(sandbox, kind);
    for (const [id, stackEnv] of functionsOf(kind)) {
      const stackNames = Object.keys(stackEnv).filter((name) => !CONFIGURED_ONLY.includes(name as never));
      expect({ id, names: Object.keys(sandboxEnv).sort() }).toEqual({ id, names: stackNames.sort() });
      for (const [name, value] of Object.entries(stackEnv)) {
        if (typeof value === 'string') expect({ id, name, value: sandboxEnv[name] }).toEqual({ id, name, value });
      }
    }
  });
});

it('the variables only the sandbox sets are ones the functions read as optional, and the stack sets none of them', () => {
  for (const kind of OPERATOR_KINDS) {
    for (const [, stackEnv] of functionsOf(kind)) for (const name of SANDBOX_ONLY_ENV[kind]) expect(stackEnv).not.toHaveProperty(name);
  }
  expect(SANDBOX_ONLY_ENV.manifest).toEqual([ENV.manifestExtraOrigin, ENV.manifestDownloadTimeoutMs]);
});
