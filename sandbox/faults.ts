/**
 * Failures the sandbox can be told to inject, to exercise each error path of the broker:
 * through `SANDBOX_FAULTS=a,b` at start, or `POST /__sandbox/faults {"faults": [...]}` later.
 */
export const FAULTS = {
  throttle: 'Snowball answers ThrottlingException (the broker answers 429)',
  snowball5xx: 'Snowball answers 500 InternalFailure (503)',
  slowSnowball: 'Snowball answers each call after 1.5 s (still succeeds)',
  slowManifest: 'the manifest URL stalls past the download timeout (502)',
  truncatedManifest: 'the manifest download is cut short (502, nothing stored)',
  oversizedManifest: 'the manifest is larger than the cap (502, nothing stored)',
  expiredUrl: 'GetJobManifest hands out an already expired URL (502)',
  malformedUnlockCode: 'GetJobUnlockCode returns a code of the wrong shape (502, nothing stored)',
} as const;

export type Fault = keyof typeof FAULTS;

export class FaultSwitch {
  private readonly on = new Set<Fault>();

  constructor(initial: Iterable<string> = []) {
    this.set(initial);
  }

  /** Replaces the active faults; throws on an unknown name (own names only: `constructor` is no fault). */
  set(names: Iterable<string>): void {
    const next = [...names].map((n) => n.trim()).filter(Boolean);
    const unknown = next.filter((n) => !Object.hasOwn(FAULTS, n));
    if (unknown.length) throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${Object.keys(FAULTS).join(', ')}`);
    this.on.clear();
    for (const n of next) this.on.add(n as Fault);
  }

  has(fault: Fault): boolean {
    return this.on.has(fault);
  }

  list(): Fault[] {
    return [...this.on];
  }
}
