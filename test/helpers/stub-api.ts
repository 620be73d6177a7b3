import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubApi {
  /** The API URL the CLI is pointed at (with its stage). */
  readonly url: string;
  /** Requests answered so far. */
  hits(): number;
  /** Closes the server and any connection the client left open. */
  close(): Promise<void>;
}

/** A local HTTP server standing in for the broker API, answering every request as `behave` says. */
export async function stubApi(behave: (res: ServerResponse) => void): Promise<StubApi> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    behave(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`,
    hits: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
