/**
 * Applies the Deny statements of service control policies (the broker's, from
 * policies/guardrails-policy.ts and lib/guardrails-sealed.ts) to one request, with the condition
 * operators those policies use, matching as IAM does: action names case-insensitively, resources,
 * ARNs and strings case-sensitively. A condition on a key the request lacks does not hold, as in
 * IAM (so such a Deny does not apply), except the negated operators, which hold on a missing key.
 */
interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ScpRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

const compiled = new Map<string, RegExp>();

/** IAM's `*` and `?` wildcards; `caseless` only for action names. Compiled once per pattern. */
function like(pattern: string, value: string, caseless = false): boolean {
  const key = `${caseless ? 'i' : 's'}:${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, caseless ? 'is' : 's');
    compiled.set(key, re);
  }
  return re.test(value);
}

function holds(operator: string, expected: string[], actual: string | string[] | undefined): boolean {
  const values = actual === undefined ? [] : list(actual);
  const matches = (v: string) => (operator.includes('Like') ? expected.some((p) => like(p, v)) : expected.includes(v));
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
    case 'StringLike':
    case 'ArnLike':
    case 'ForAnyValue:StringEquals':
    case 'ForAnyValue:StringLike':
      return values.some(matches);
    case 'StringNotEquals':
    case 'ArnNotEquals':
    case 'StringNotLike':
    case 'ArnNotLike':
      return values.every((v) => !matches(v));
    default:
      throw new Error(`the sandbox's SCP evaluator does not know ${operator}`);
  }
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((a) => like(a, action, true));
  return list(statement.Action ?? []).some((a) => like(a, action, true));
}

function applies(statement: Statement, request: ScpRequest): boolean {
  if (!actionMatches(statement, request.action)) return false;
  const named = list(statement.Resource ?? statement.NotResource ?? []).some((r) => like(r, request.resource));
  if (named === (statement.NotResource !== undefined)) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => holds(operator, list(expected), request.context[key])),
  );
}

/** True when the policy explicitly denies the request. */
export function scpDenies(policy: { Statement: unknown[] }, request: ScpRequest): boolean {
  return (policy.Statement as Statement[]).some((s) => s.Effect === 'Deny' && applies(s, request));
}
