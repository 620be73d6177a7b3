/**
 * Structured logging. Every line is one JSON object (Lambda's JSON log format adds the request
 * id). Callers pass only the fields below: there is deliberately no free-form payload, so an unlock
 * code, presigned URL or manifest bytes cannot ride along by accident.
 */
export interface LogFields {
  readonly event: string;
  readonly jobId?: string;
  readonly route?: string;
  readonly status?: number;
  readonly code?: string;
  readonly unchanged?: boolean;
  readonly versionId?: string;
  readonly sha256?: string;
  readonly sizeBytes?: number;
  readonly errorName?: string;
  readonly at?: string;
  /** What started a lifecycle step: `schedule`, `notification` or `api`. */
  readonly trigger?: string;
  readonly vault?: string;
  readonly state?: string;
  readonly reason?: string;
  readonly outcome?: string;
  readonly seen?: number;
  readonly captured?: number;
  readonly retired?: number;
  readonly failed?: number;
  readonly skipped?: number;
  readonly deferred?: number;
}

export const log = {
  info: (fields: LogFields) => console.info(JSON.stringify({ level: 'INFO', ...fields })),
  warn: (fields: LogFields) => console.warn(JSON.stringify({ level: 'WARN', ...fields })),
  error: (fields: LogFields) => console.error(JSON.stringify({ level: 'ERROR', ...fields })),
};

/** One audit line per retirement of either secret: which job, why, when. */
export function auditRetirement(action: 'retire-manifest' | 'retire-unlock-code', jobId: string, reason: string): void {
  log.info({ event: `audit:${action}`, jobId, reason, at: new Date().toISOString() });
}
