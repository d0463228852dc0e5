/**
 * A local port nothing listens on, for tests of unreachable servers: connecting to it is refused at once
 * (unlike a blocked or filtered port, which times out, or a port fetch refuses to use, such as 9).
 *
 * @example
 * const url = `http://127.0.0.1:${await closedPort()}/B04.tif`;
 */
import { createServer } from 'node:net';

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}
