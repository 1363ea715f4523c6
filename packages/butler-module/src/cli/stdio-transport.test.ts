import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoundedStdioServerTransport, type OversizedMessage } from './stdio-transport.js';

// The MCP server side of `contacts serve`'s stdio, read and written through streams in memory.
// (serve.test.ts drives the real command with a real client; these pin the edge cases.)

const LIMIT = 200;

function setup() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const written: unknown[] = [];
  let pendingText = '';
  stdout.on('data', (chunk: Buffer) => {
    pendingText += chunk.toString('utf8');
    const lines = pendingText.split('\n');
    pendingText = lines.pop() ?? '';
    for (const line of lines) written.push(JSON.parse(line));
  });
  const refused: OversizedMessage[] = [];
  const transport = new BoundedStdioServerTransport(stdin, stdout, {
    maxMessageBytes: LIMIT,
    onOversized: (m) => refused.push(m),
  });
  const received: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  transport.onmessage = (m) => received.push(m);
  transport.onerror = (e) => errors.push(e);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { stdin, stdout, transport, written, refused, received, errors, settle };
}

const request = (id: number | string, padding = 0, idFirst = false) =>
  idFirst
    ? JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { pad: 'x'.repeat(padding) } })
    : // The SDK's client writes the id last.
      JSON.stringify({ method: 'tools/call', params: { pad: 'x'.repeat(padding) }, jsonrpc: '2.0', id });

describe('BoundedStdioServerTransport', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads messages split across chunks and several in one chunk, up to the limit exactly', async () => {
    const t = setup();
    await t.transport.start();
    const atLimit = request(1, 0);
    const exact = request(2, LIMIT - atLimit.length);
    expect(Buffer.byteLength(exact)).toBe(LIMIT);
    t.stdin.write(`${exact.slice(0, 50)}`);
    t.stdin.write(`${exact.slice(50)}\n${request(3)}\r\n\n${request(4).slice(0, 10)}`);
    t.stdin.write(`${request(4).slice(10)}\n`);
    await t.settle();
    expect(t.received.map((m) => (m as { id: number }).id)).toEqual([2, 3, 4]);
    expect(t.refused).toEqual([]);
    expect(t.transport.pendingRequests).toBe(3);
  });

  it('refuses a message over the limit with an error to its id, wherever the id is, and reads on', async () => {
    const t = setup();
    await t.transport.start();
    // One byte over, in two chunks; then one far over with the id first; then a good one in the
    // same chunk as the refused one's end.
    const over = request(7, LIMIT);
    t.stdin.write(over.slice(0, 120));
    t.stdin.write(`${over.slice(120)}\n`);
    const big = request('call-8', 5_000, true);
    t.stdin.write(big.slice(0, 3_000));
    t.stdin.write(`${big.slice(3_000)}\n${request(9)}\n`);
    await t.settle();
    expect(t.refused).toEqual([
      { bytes: Buffer.byteLength(over), limitBytes: LIMIT, id: 7 },
      { bytes: Buffer.byteLength(big), limitBytes: LIMIT, id: 'call-8' },
    ]);
    expect(t.written).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        error: {
          code: -32600,
          message: `Message refused: it is ${Buffer.byteLength(over)} bytes long and this server reads MCP messages of at most ${LIMIT} bytes; nothing in it was acted on.`,
          data: { size_bytes: Buffer.byteLength(over), limit_bytes: LIMIT },
        },
      },
      expect.objectContaining({ id: 'call-8', error: expect.objectContaining({ code: -32600 }) }),
    ]);
    expect(t.received.map((m) => (m as { id: number }).id)).toEqual([9]);
    expect(t.errors).toEqual([]);
  });

  it('drops an oversized message with no readable id (a notification, or garbage) and says so', async () => {
    const t = setup();
    await t.transport.start();
    const notification = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { data: 'y'.repeat(500) },
    });
    // A nested "id" is not the message's.
    const nested = JSON.stringify({
      jsonrpc: '2.0',
      method: 'tools/call',
      params: { arguments: { pad: 'z'.repeat(500), id: 5 } },
    });
    t.stdin.write(`${notification}\n${nested}\n${'q'.repeat(1_000)}\n`);
    await t.settle();
    expect(t.refused.map((r) => r.id)).toEqual([undefined, undefined, undefined]);
    expect(t.written).toEqual([]);
    expect(t.received).toEqual([]);
  });

  it('reports a line that is not JSON-RPC and reads on, as the SDK transport does', async () => {
    const t = setup();
    await t.transport.start();
    t.stdin.write(`not json\n${request(1)}\n`);
    await t.settle();
    expect(t.errors).toHaveLength(1);
    expect(t.received).toHaveLength(1);
  });

  it('knows which requests are unanswered; a stopping server waits for them, then answers the rest', async () => {
    vi.useFakeTimers();
    const t = setup();
    await t.transport.start();
    t.stdin.write(`${request(1)}\n${request(2)}\n`);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.transport.pendingRequests).toBe(2);
    const waiting = t.transport.whenAnswered(1_000);
    await t.transport.send({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await waiting).toBe(false);
    const answered = await t.transport.answerPending((id) => ({
      jsonrpc: '2.0',
      id,
      result: { content: [{ type: 'text', text: 'stopping' }], isError: true },
    }));
    expect(answered).toEqual([2]);
    expect(t.transport.pendingRequests).toBe(0);
    expect(await t.transport.whenAnswered(1_000)).toBe(true);
    // The handler's own answer, come too late, is not sent twice.
    await t.transport.send({ jsonrpc: '2.0', id: 2, result: { content: [] } });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.written.map((m) => (m as { id: number }).id)).toEqual([1, 2]);
    expect((t.written[1] as { result: { isError: boolean } }).result.isError).toBe(true);
  });

  it('resolves whenAnswered as soon as the last request is answered', async () => {
    const t = setup();
    await t.transport.start();
    t.stdin.write(`${request(1)}\n`);
    await t.settle();
    const waiting = t.transport.whenAnswered(60_000);
    await t.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(await waiting).toBe(true);
  });

  it('reports a closed stdout instead of throwing, and answers into it without waiting for ever', async () => {
    const t = setup();
    await t.transport.start();
    t.stdin.write(`${request(1)}\n`);
    await t.settle();
    t.stdout.destroy(new Error('write EPIPE'));
    await t.settle();
    expect(t.errors.map((e) => e.message)).toEqual(['write EPIPE']);
    expect(await t.transport.answerPending((id) => ({ jsonrpc: '2.0', id, result: {} }))).toEqual([1]);
    await t.transport.send({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'x' },
    });
  });

  it('waits for a full stdout to drain, and not past its closing', async () => {
    const t = setup();
    await t.transport.start();
    t.stdout.pause();
    t.stdout.removeAllListeners('data');
    // Over the stream's buffer: the write is held until a drain, or a close.
    const sent = t.transport.send({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { data: 'z'.repeat(64 * 1024) },
    });
    let settled = false;
    void sent.then(() => {
      settled = true;
    });
    await t.settle();
    expect(settled).toBe(false);
    t.stdout.destroy();
    await sent;
  });
});
