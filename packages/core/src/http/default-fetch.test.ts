import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createGuardedFetch } from './guarded-fetch.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

// nodejs/undici#5360: Node 22's built-in fetch (undici 6) ends the process with an uncatchable
// AssertionError when a server closes the connection while the body waits unread. Radicale did
// that to `pnpm bench` with a 5,000-card listing. Run on the built-in fetch, this test's worker
// dies; the guarded fetch's default (the undici package, 8.x) reads the body afterwards.
it('reads a body in full after the server closed the connection while nobody read it', async () => {
  // Small enough for the sockets' buffers: the server sends it all and its FIN while nobody reads.
  const body = Buffer.alloc(64 * 1024, 0x61);
  let closed!: () => void;
  const serverClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  server = createServer((socket: Socket) => {
    socket.once('data', () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      socket.on('error', () => {});
      socket.end(body, () => closed());
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const guarded = createGuardedFetch({ timeoutMs: 30_000, maxResponseBytes: 1024 * 1024 });
  const res = await guarded(`http://127.0.0.1:${port}/`);
  await serverClosed;
  // Turns of the event loop (no timer) in which the client's socket takes the FIN in.
  for (let turn = 0; turn < 20; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  expect((await res.arrayBuffer()).byteLength).toBe(body.length);
});
