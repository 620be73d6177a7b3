/**
 * A small EventBridge event-pattern evaluator: the subset of the content-filtering language the
 * broker's rules use (exact values, prefix, suffix, wildcard, anything-but, exists, `$or`, nested
 * fields, arrays in the event). No well-kept evaluator is on the npm registry; this one is tested
 * against AWS's documented semantics in test/unit/event-pattern.test.ts. An operator it does not
 * know throws, so a pattern can never silently match less than AWS would.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Matcher = Json;

const OPERATORS = new Set(['prefix', 'suffix', 'wildcard', 'anything-but', 'exists', 'equals-ignore-case']);

function wildcardRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

/** One leaf value of the event against one matcher of the pattern's list. */
function leafMatches(matcher: Matcher, value: Json | undefined): boolean {
  if (matcher === null || typeof matcher !== 'object') return value !== undefined && value === matcher;
  if (Array.isArray(matcher)) throw new Error('a matcher cannot be a list');
  const [op, arg] = Object.entries(matcher)[0] ?? [];
  if (!OPERATORS.has(op)) throw new Error(`unsupported pattern operator ${op}`);
  if (op === 'exists') return arg === (value !== undefined);
  if (value === undefined) return false;
  const text = typeof value === 'string' ? value : undefined;
  switch (op) {
    case 'prefix':
      return text !== undefined && text.startsWith(String(arg));
    case 'suffix':
      return text !== undefined && text.endsWith(String(arg));
    case 'wildcard':
      return text !== undefined && wildcardRegExp(String(arg)).test(text);
    case 'equals-ignore-case':
      return text !== undefined && text.toLowerCase() === String(arg).toLowerCase();
    default:
      return anythingBut(arg as Json, value);
  }
}

function anythingBut(arg: Json, value: Json): boolean {
  if (Array.isArray(arg)) return !arg.includes(value);
  if (arg !== null && typeof arg === 'object') return !leafMatches(arg, value);
  return value !== arg;
}

/** A field's matcher list against the event's value there (any element, for an array). */
function fieldMatches(matchers: Matcher[], value: Json | undefined): boolean {
  const values = Array.isArray(value) ? value : [value];
  const absentOk = matchers.some((m) => m !== null && typeof m === 'object' && (m as Record<string, Json>).exists === false);
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return absentOk;
  return matchers.some((m) => values.some((v) => leafMatches(m, v)));
}

/** True when `event` matches `pattern`, as EventBridge decides it. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const e = (event ?? {}) as Record<string, Json>;
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') return (sub as Record<string, unknown>[]).some((alt) => matchesPattern(alt, e));
    if (Array.isArray(sub)) return fieldMatches(sub as Matcher[], e[key]);
    const inner = e[key];
    if (Array.isArray(inner)) return inner.some((item) => matchesPattern(sub as Record<string, unknown>, item));
    return matchesPattern(sub as Record<string, unknown>, inner ?? undefined);
  });
}
