import { startSandbox, type GuardrailsMode, type Sandbox, type SandboxOptions } from '../../sandbox/sandbox';
import type { Alert } from '../../sandbox/trail';
import type { captureLogs } from './log-capture';
import { control } from './sandbox-control';

/** What a test of a file that shares its sandboxes gets: state of its own, and what it alone caused. */
export interface SharedRun {
  readonly s: Sandbox;
  /** A WithCustomer job created for this test (the control route's `POST /__sandbox/jobs`). */
  readonly job: string;
  /** The alerts raised since this test began. */
  raised(): Promise<Alert[]>;
  /** What was logged since this test began. */
  logged(): string;
}

const alertsOf = async (s: Sandbox): Promise<Alert[]> =>
  (await (await fetch(`${s.info.adminUrl}alerts`, { signal: AbortSignal.timeout(30_000) })).json()).alerts;

/**
 * One sandbox per guardrails mode, booted on first use and stopped after the file (a boot costs
 * about a second of CPU), in place of one per test. So that no test's state reaches another's
 * assertions, each test gets a fresh WithCustomer job of its own and reads only the alerts and
 * log lines raised since it began; the job notifications it caused settle before the next test.
 * A test that needs a clean sandbox (counts over all jobs, all secrets) does not belong here.
 */
export function sandboxPerMode(logs: ReturnType<typeof captureLogs>, options: Omit<SandboxOptions, 'port' | 'guardrails'> = {}) {
  const started: Partial<Record<GuardrailsMode, Promise<Sandbox>>> = {};
  afterAll(() => Promise.all(Object.values(started).map(async (sandbox) => (await sandbox).stop())));
  return async function withSandbox(mode: GuardrailsMode, body: (run: SharedRun) => Promise<void>): Promise<void> {
    const s = await (started[mode] ??= startSandbox({ ...options, port: 0, guardrails: mode }));
    const { jobId } = await control<{ jobId: string }>(s, 'jobs', { state: 'WithCustomer' });
    const [alertsBefore, logsBefore] = [(await alertsOf(s)).length, logs.count()];
    try {
      await body({ s, job: jobId, raised: async () => (await alertsOf(s)).slice(alertsBefore), logged: () => logs.text(logsBefore) });
    } finally {
      await s.notifications.settled();
    }
  };
}
