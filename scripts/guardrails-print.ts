/**
 * Prints the guardrails' service control policies as one JSON array of `{name, content}` on stdout
 * (sizes on stderr), for organisations that manage SCPs elsewhere (Control Tower, Terraform):
 * `npm run -s guardrails:print -- -c brokerAccountId=… -c deployerPrincipalArns=… [-c guardrailsMode=sealed]`.
 * Reads the same context as the app (cdk.json, then -c key=value).
 */
import { ConfigError } from '../lib/config';
import { parseGuardrailsConfig } from '../lib/guardrails-config';
import { GuardrailsTooLargeError, SCP_MAX_CHARS } from '../policies/guardrails-policy';
import { guardrailsScps } from '../lib/guardrails-scps';
import { cdkJsonContext } from '../tools/bundles';

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
  const scps = guardrailsScps(parseGuardrailsConfig((key) => context[key])!);
  process.stdout.write(`${JSON.stringify(scps, null, 2)}\n`);
  for (const scp of scps) {
    process.stderr.write(
      `${scp.name}: ${JSON.stringify(scp.content).length} characters (minified) of the ${SCP_MAX_CHARS} an SCP may hold.\n`,
    );
  }
} catch (err) {
  if (!(err instanceof ConfigError) && !(err instanceof GuardrailsTooLargeError)) throw err;
  process.stderr.write(`guardrails:print: ${err.message}\n`);
  process.exit(2);
}
