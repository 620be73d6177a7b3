import { JOB_ID_EXAMPLE, JOB_ID_PREFIXES } from '../contract/api';
import { CliError } from './errors';
import { printable } from './printable';

/** The prefixes a job id may have ("JID or MID") and an example, from the contract. */
export function jobIdShape(): { prefixes: string; example: string } {
  return { prefixes: JOB_ID_PREFIXES.join(' or '), example: JOB_ID_EXAMPLE };
}

/** One field the answer must carry, and how it must look. */
export type FieldCheck =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'sha256'
  | 'date'
  | 'optional-boolean'
  | 'nullable-string'
  | 'optional-string'
  | 'optional-integer'
  | RegExp;

function fits(value: unknown, check: FieldCheck): boolean {
  if (check instanceof RegExp) return typeof value === 'string' && check.test(value);
  switch (check) {
    case 'string':
      return typeof value === 'string' && value.length > 0 && value.length <= 2048;
    case 'boolean':
      return typeof value === 'boolean';
    case 'optional-boolean':
      return value === undefined || typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'sha256':
      return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
    case 'date':
      return typeof value === 'string' && value.length <= 64 && !Number.isNaN(Date.parse(value));
    case 'nullable-string':
      return value === null || (typeof value === 'string' && value.length <= 2048);
    case 'optional-integer':
      return value === undefined || value === null || (Number.isSafeInteger(value) && (value as number) >= 0);
    case 'optional-string':
      return value === undefined || value === null || (typeof value === 'string' && value.length <= 2048);
  }
}

/**
 * Checks that an answer of the broker is a JSON object carrying every field `shape` names, each of
 * the right kind and free of control characters; names the first that is not. Returns those
 * fields alone: nothing unchecked is ever printed, even with --json.
 */
export function checkAnswer<T extends Record<string, unknown>>(answer: unknown, shape: Record<string, FieldCheck>, what: string): T {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    throw new CliError(
      `the broker's answer to ${what} is not a JSON object; nothing was done with it: check --api-url points at the broker.`,
    );
  }
  for (const [field, check] of Object.entries(shape)) {
    const value = (answer as Record<string, unknown>)[field];
    if (!fits(value, check) || (typeof value === 'string' && printable(value) !== value)) {
      const why = value === undefined ? 'lacks' : 'has a malformed';
      throw new CliError(
        `the broker's answer to ${what} ${why} "${field}"; nothing was printed: check --api-url points at this version of the broker.`,
      );
    }
  }
  if (Object.keys(shape).length === 0) return answer as T;
  return Object.fromEntries(Object.keys(shape).map((field) => [field, (answer as Record<string, unknown>)[field]])) as T;
}

/** A job id of the answer must be the one asked for: printing another job's data under this id would mislead. */
export function checkSameJob(answer: Record<string, unknown>, jobId: string, what: string): void {
  if (answer.jobId !== jobId)
    throw new CliError(`the broker's answer to ${what} is about another job; nothing was printed: check --api-url points at the broker.`);
}
