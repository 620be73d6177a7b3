/** The deployed reconcile schedule, as the sandbox runs it: a pass every `ms`, never two at once. */
export interface Schedule {
  /** Resolves once no pass is running (at once when idle). */
  settled(): Promise<void>;
  /** Resolves when a pass that starts after this call has finished: what it saw includes every change made before. */
  nextPass(): Promise<void>;
  /** Stops the timer and waits for a pass in flight, so nothing it does outlives the sandbox. */
  stop(): Promise<void>;
}

const NO_SCHEDULE: Schedule = {
  settled: async () => undefined,
  nextPass: () => Promise.reject(new Error('the sandbox runs no schedule (captureIntervalMs is 0)')),
  stop: async () => undefined,
};

/** Runs `pass` every `ms` (none when `ms` is 0); a pass's failure is logged as one line and the schedule goes on. */
export function schedule(pass: () => Promise<unknown>, ms: number): Schedule {
  if (ms <= 0) return NO_SCHEDULE;
  let inFlight: Promise<void> | undefined;
  let waiting: (() => void)[] = [];
  const run = () => {
    if (inFlight) return;
    const finished = waiting;
    waiting = [];
    inFlight = pass()
      .then(
        () => undefined,
        (err: unknown) => console.error(JSON.stringify({ sandbox: 'reconcile-failed', error: (err as Error).message })),
      )
      .finally(() => {
        inFlight = undefined;
        for (const resolve of finished) resolve();
      });
  };
  const timer = setInterval(run, ms);
  timer.unref();
  return {
    settled: async () => inFlight,
    nextPass: () => new Promise<void>((resolve) => waiting.push(resolve)),
    stop: async () => {
      clearInterval(timer);
      await inFlight;
      for (const resolve of waiting) resolve();
      waiting = [];
    },
  };
}
