import { BrokerError, upstreamUnavailable, throttled } from './errors';

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(err: unknown): string | undefined {
  return (err as AwsErrorShape | undefined)?.name;
}

/**
 * Recognises the failures of any AWS call that are the caller's to retry: throttling (429) and
 * an unavailable or unreachable service (503). Anything else is left to the caller to map.
 */
export function retryableAwsError(err: unknown): BrokerError | undefined {
  const e = (err ?? {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING_NAMES.has(e.name ?? '') || status === 429) return throttled();
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return upstreamUnavailable();
  if (UNREACHABLE_CODES.has(e.code ?? '') || e.name === 'TimeoutError') return upstreamUnavailable();
  return undefined;
}

/** Throws an AWS call's failure as the broker's 429/503 when it is one of those, else unchanged. */
export function rethrow(err: unknown): never {
  throw retryableAwsError(err) ?? err;
}
