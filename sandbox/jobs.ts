import { createHash } from 'node:crypto';

export interface DemoJob {
  readonly jobId: string;
  state: string;
  /** When the job was created: its credentials expire 360 days later. */
  readonly createdAt: Date;
  /** Content of the job's manifest (deterministic bytes, not a real encrypted manifest). */
  manifest: Buffer;
  unlockCode: string;
  /** The job's region when it is not the sandbox's: a US region lists the jobs of every US region. */
  region?: string;
  /** An export main job: it has no device and no credentials of its own. */
  isMaster?: boolean;
}

function bytes(seed: string, size: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < size; i++) out.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(out).subarray(0, size);
}

function code(seed: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const digest = createHash('sha256').update(seed).digest();
  const chars = Array.from({ length: 25 }, (_, i) => alphabet[digest[i] % alphabet.length]);
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

const DAY_MS = 86_400_000;

/** A job with deterministic credentials, created `createdDaysAgo` days ago. */
export function demoJob(jobId: string, state: string, createdDaysAgo: number): DemoJob {
  return {
    jobId,
    state,
    createdAt: new Date(Date.now() - createdDaysAgo * DAY_MS),
    manifest: bytes(`manifest:${jobId}`, 2048),
    unlockCode: code(`unlock:${jobId}`),
  };
}

/** The demo jobs the Snowball stand-in starts with: two unlockable, two in other states, with realistic ages. */
export function seedJobs(): DemoJob[] {
  return [
    demoJob('JID0e5a1c2f-7b3d-4c1e-9a8b-5d6f7e8a9b01', 'WithCustomer', 21),
    demoJob('JID1f6b2d3a-8c4e-4d2f-8b9c-6e7f8a9b0c12', 'WithCustomer', 48),
    demoJob('JID2a7c3e4b-9d5f-4e3a-9cad-7f8a9b0c1d23', 'InTransitToCustomer', 6),
    demoJob('JID3b8d4f5c-ae6a-4f4b-8dbe-8a9b0c1d2e34', 'Complete', 190),
  ];
}
