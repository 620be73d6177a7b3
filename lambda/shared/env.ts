/** Reads a required environment variable at cold start; a missing one is a deployment defect. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function positiveIntEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`environment variable ${name} must be a positive integer`);
  return value;
}

/** Reads settings once, at the first request, so a test can set the environment before it. */
export function once<T>(read: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= read());
}
