import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ManifestFault = 'none' | 'truncate' | 'status403' | 'slow' | 'redirect' | 'noLength';

/** A loopback stand-in for the presigned S3 URL: serves `body`, or misbehaves as `fault` says. */
export class ManifestServer {
  body: Buffer = Buffer.from('manifest');
  fault: ManifestFault = 'none';
  requests = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((_req, res) => {
      this.requests++;
      switch (this.fault) {
        case 'status403':
          res.writeHead(403, { 'Content-Type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
          return;
        case 'redirect':
          res.writeHead(302, { Location: 'http://127.0.0.2/elsewhere' }).end();
          return;
        case 'truncate':
          res.writeHead(200, { 'Content-Length': String(this.body.length) });
          res.write(this.body.subarray(0, Math.floor(this.body.length / 2)));
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        case 'slow':
          res.writeHead(200, { 'Content-Length': String(this.body.length) });
          setTimeout(() => res.end(this.body), 2000).unref();
          return;
        case 'noLength':
          res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
          res.end(this.body);
          return;
        default:
          res.writeHead(200, { 'Content-Length': String(this.body.length) }).end(this.body);
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
