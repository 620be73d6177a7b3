import type { Sandbox } from '../../sandbox/sandbox';

/**
 * POSTs to one of the sandbox's control routes (`/__sandbox/…`) as its checks require (same-origin
 * JSON) and answers the JSON reply. A refusal throws with its answer: a test never goes on as if
 * a job had moved or a pass had run when the route said no.
 */
export async function control<T = any>(sandbox: Sandbox, path: string, body: unknown): Promise<T> {
  const answer = await fetch(`${sandbox.info.adminUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const reply = await answer.json();
  if (!answer.ok) throw new Error(`POST /__sandbox/${path} answered ${answer.status}: ${JSON.stringify(reply)}`);
  return reply as T;
}
