import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { SandboxPrincipal } from '../../sandbox/identities';

const BIN = path.join(__dirname, '..', '..', 'bin', 'snowball-broker.js');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs the CLI as an operator would: a fresh process whose only AWS settings are the ones given
 * (credentials of `who`, if any), with HOME and the AWS config files inside `home`.
 */
export function runCli(home: string, args: string[], who?: SandboxPrincipal, env: Record<string, string> = {}): Promise<Run> {
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(who ? { AWS_ACCESS_KEY_ID: who.accessKeyId, AWS_SECRET_ACCESS_KEY: who.secretAccessKey, AWS_SESSION_TOKEN: who.sessionToken } : {}),
    ...env,
  };
  const started = Date.now();
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: full, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started }),
    ),
  );
}

/** A failure as the CLI promises it: one line on stderr, nothing on stdout, a non-zero exit. */
export function expectOneLineFailure(run: Run, secrets: string[] = []): void {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^snowball-broker: /);
  for (const leak of secrets) expect(run.stderr).not.toContain(leak);
}
