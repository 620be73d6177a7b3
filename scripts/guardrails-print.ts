/**
 * Prints the guardrails service control policy as JSON, for organisations that manage SCPs
 * elsewhere (Control Tower, Terraform): `npm run guardrails:print -- -c brokerAccountId=… [-c breakGlassRoleArn=…]`.
 * Reads the same context as the app (cdk.json, then -c key=value).
 */
import { ConfigError } from '../lib/config';
import { parseGuardrailsConfig } from '../lib/guardrails-config';
import { guardrailsPolicy, SCP_MAX_CHARS } from '../lib/guardrails-policy';
import { cdkJsonContext } from './bundles';

function contextFromArgs(argv: string[]): Record<string, unknown> {
  const context: Record<string, unknown> = { ...cdkJsonContext(), guardrails: true, guardrailsTargetIds: ['r-print'] };
  for (let i = 0; i < argv.length; i++) {
    const pair = argv[i] === '-c' || argv[i] === '--context' ? argv[++i] : undefined;
    if (pair === undefined || !pair.includes('=')) throw new ConfigError(`unexpected argument "${argv[i]}": pass -c key=value`);
    context[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  }
  return context;
}

try {
  const context = contextFromArgs(process.argv.slice(2));
  const policy = guardrailsPolicy(parseGuardrailsConfig((key) => context[key])!);
  const text = JSON.stringify(policy, null, 2);
  process.stdout.write(`${text}\n`);
  process.stderr.write(`${text.length} characters of the ${SCP_MAX_CHARS} an SCP may hold (${JSON.stringify(policy).length} minified).\n`);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`guardrails:print: ${err.message}\n`);
  process.exit(2);
}
