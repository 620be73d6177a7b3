import { createHash } from 'node:crypto';
import { manifestDownloadFailed, manifestTooLarge, manifestTruncated } from '../shared/errors';

/** Limits of one manifest download. */
export interface DownloadPolicy {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** One more origin (`scheme://host:port`) allowed besides S3: the sandbox's loopback endpoint. */
  readonly extraOrigin?: string;
}

export interface Download {
  readonly bytes: Buffer;
  /** SHA-256 of `bytes`, computed while reading. */
  readonly sha256: Buffer;
}

/** S3 endpoints: path-style, virtual-hosted, legacy dash-region, dualstack, FIPS, accelerate, China. */
const S3_HOST = /^(?:[a-z0-9][a-z0-9.-]*\.)?s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

/** True when a presigned URL may be fetched: https on the default port of an S3 host, or the extra origin. */
export function isAllowedManifestUrl(raw: string, extraOrigin?: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (extraOrigin !== undefined && url.origin === extraOrigin) return true;
  return url.protocol === 'https:' && url.port === '' && S3_HOST.test(url.hostname);
}

/** An extra origin must be exactly `scheme://host[:port]`, and plain http only on loopback. */
export function isAcceptableExtraOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
}

/**
 * Downloads a presigned manifest URL with a timeout and a size cap, hashing while reading.
 * Redirects are refused (they could leave S3). Failures never quote the URL: it is a bearer
 * credential for an hour.
 */
export async function downloadManifest(url: string, policy: DownloadPolicy): Promise<Download> {
  if (!isAllowedManifestUrl(url, policy.extraOrigin)) {
    throw manifestDownloadFailed('the URL is not an https S3 URL');
  }
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', signal });
  } catch {
    throw manifestDownloadFailed(signal.aborted ? 'timed out' : 'could not connect');
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw manifestDownloadFailed(`S3 answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > policy.maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw manifestTooLarge(policy.maxBytes);
  }
  return readCapped(response.body, declared, policy.maxBytes, signal);
}

async function readCapped(body: ReadableStream<Uint8Array>, declared: number, maxBytes: number, signal: AbortSignal): Promise<Download> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw manifestTooLarge(maxBytes);
      hash.update(value);
      chunks.push(Buffer.from(value));
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (err instanceof Error && err.name === 'BrokerError') throw err;
    throw signal.aborted ? manifestDownloadFailed('timed out') : manifestTruncated();
  }
  if (Number.isFinite(declared) && total !== declared) throw manifestTruncated();
  if (total === 0) throw manifestDownloadFailed('the manifest was empty');
  return { bytes: Buffer.concat(chunks), sha256: hash.digest() };
}
