import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Largest request body a stand-in accepts: a manifest of the 4 MiB cap with its aws-chunked framing fits. */
const MAX_BODY = 16 * 1024 * 1024;

/** A request body over the reader's cap; nothing past the cap was read. */
export class BodyTooLarge extends Error {
  constructor() {
    super('request body too large');
    this.name = 'BodyTooLarge';
  }
}

/** Reads a request body, refusing (by Content-Length first, else while reading) one over `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** An AWS JSON 1.1 error: `__type` in the body and `x-amzn-ErrorType`, as the SDKs parse it. */
export function sendAwsJsonError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { __type: type, message, Message: message }, { 'x-amzn-ErrorType': type });
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0: any free one). A handler that throws answers 500. */
export async function listen(handler: RequestListener, port = 0): Promise<RunningServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { message: err.message }, { Connection: 'close' });
      sendJson(res, 500, { message: 'the sandbox stand-in failed' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
