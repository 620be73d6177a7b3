import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { execFile } from 'node:child_process';
import type { Credentials } from '../../sandbox/sigv4';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly text: string;
  json(): any;
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly accept?: string;
  readonly signingDate?: Date;
  /** Change the request after signing, to prove the signature covers it. */
  readonly tamper?: (url: URL) => void;
  /** Leave `host` out of the signed headers (the client still sends it). */
  readonly unsignedHost?: boolean;
  readonly body?: Buffer;
}

function answer(status: number, headers: Record<string, string>, body: Buffer): Answer {
  return { status, headers, body, text: body.toString(), json: () => JSON.parse(body.toString()) };
}

/** Calls the API signed with the AWS SDK's own SigV4 signer (service execute-api). */
export async function signedCall(
  url: string,
  credentials: Credentials | undefined,
  region: string,
  options: CallOptions = {},
): Promise<Answer> {
  const target = new URL(url);
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { host: target.host, ...(options.accept ? { accept: options.accept } : {}) };
  if (credentials) {
    const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Hash.bind(null, 'sha256') });
    const toSign = { ...headers };
    if (options.unsignedHost) delete toSign.host;
    const request = new HttpRequest({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: toSign,
      body: options.body,
    });
    const signed = await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
    Object.assign(headers, signed.headers);
  }
  options.tamper?.(target);
  delete headers.host;
  const res = await fetch(target, {
    method,
    headers,
    body: options.body ? new Uint8Array(options.body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  return answer(res.status, Object.fromEntries(res.headers), Buffer.from(await res.arrayBuffer()));
}

/**
 * Calls the API with `curl --aws-sigv4`, an independent SigV4 implementation. Asynchronous: the
 * sandbox answering it runs in this same process.
 */
export async function curlCall(
  url: string,
  credentials: Credentials,
  region: string,
  method: 'GET' | 'POST' = 'GET',
  accept?: string,
): Promise<Answer> {
  // With no -H Accept, curl sends its own `Accept: */*`, as a plain `curl -o` does.
  const args = [
    '-s',
    '-X',
    method,
    '--aws-sigv4',
    `aws:amz:${region}:execute-api`,
    '--user',
    `${credentials.accessKeyId}:${credentials.secretAccessKey}`,
    '-w',
    '\n%{http_code}',
  ];
  if (credentials.sessionToken) args.push('-H', `x-amz-security-token: ${credentials.sessionToken}`);
  if (accept) args.push('-H', `Accept: ${accept}`);
  const out = await new Promise<Buffer>((resolve, reject) =>
    execFile('curl', [...args, url], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`curl failed: ${stderr.toString()}`)) : resolve(stdout),
    ),
  );
  const cut = out.lastIndexOf('\n');
  return answer(Number(out.subarray(cut + 1).toString()), {}, out.subarray(0, cut));
}
