/**
 * Applies the Deny statements of a service control policy (the broker's, from
 * lib/guardrails-policy.ts) to one request, with the condition operators that policy uses. A
 * condition on a key the request lacks does not hold, as in IAM, so such a Deny does not apply.
 */
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ScpRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function like(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(value);
}

function holds(operator: string, expected: string[], actual: string | string[] | undefined): boolean {
  if (actual === undefined) return false;
  const values = list(actual);
  switch (operator) {
    case 'StringEquals':
      return values.some((v) => expected.includes(v));
    case 'ArnLike':
    case 'StringLike':
      return values.some((v) => expected.some((p) => like(p, v)));
    case 'ArnNotLike':
    case 'StringNotLike':
      return values.every((v) => !expected.some((p) => like(p, v)));
    case 'ForAnyValue:StringLike':
      return values.some((v) => expected.some((p) => like(p, v)));
    default:
      throw new Error(`the sandbox's SCP evaluator does not know ${operator}`);
  }
}

function applies(statement: Statement, request: ScpRequest): boolean {
  if (!list(statement.Action).some((a) => like(a, request.action))) return false;
  if (!list(statement.Resource).some((r) => like(r, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => holds(operator, list(expected), request.context[key])),
  );
}

/** True when the policy explicitly denies the request. */
export function scpDenies(policy: { Statement: unknown[] }, request: ScpRequest): boolean {
  return (policy.Statement as Statement[]).some((s) => s.Effect === 'Deny' && applies(s, request));
}
