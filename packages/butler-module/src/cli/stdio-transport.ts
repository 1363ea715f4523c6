import type { Readable } from 'node:stream';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { OutputStream } from './cli-io.js';

/**
 * The largest MCP message `contacts serve` reads: 10 MiB, the MCP SDK's own stdio default. Every
 * argument of the four tools fits in a few hundred bytes.
 */
export const MAX_MCP_MESSAGE_BYTES = 10 * 1024 * 1024;

// Enough of a refused message's two ends to find its id: the SDK's client writes it last
// (`{"method":...,"params":...,"jsonrpc":"2.0","id":7}`), others first.
const END_BYTES = 512;
const ID_AT_START =
  /^\s*\{(?:\s*"(?:jsonrpc|method)"\s*:\s*"[^"\\]*"\s*,)*\s*"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")\s*[,}]/;
const ID_AT_END = /[{,]\s*"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/;

/**
 * A message `contacts serve` refused for its size.
 *
 * @example
 * ```ts
 * const refused: OversizedMessage = { bytes: 11_534_400, limitBytes: MAX_MCP_MESSAGE_BYTES, id: 7 };
 * ```
 */
export interface OversizedMessage {
  bytes: number;
  limitBytes: number;
  /** The request's id when it could be read from the message's ends (then it got an error response). */
  id: RequestId | undefined;
}

/**
 * Options of {@link BoundedStdioServerTransport}.
 *
 * @example
 * ```ts
 * const options: BoundedStdioOptions = { onOversized: (m) => logger.warn('contacts_mcp_message_refused', { bytes: m.bytes }) };
 * ```
 */
export interface BoundedStdioOptions {
  /** Default {@link MAX_MCP_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** Told of each refused message, so the server can log a sentence. */
  onOversized?: (message: OversizedMessage) => void;
}

interface Discarding {
  bytes: number;
  head: Buffer;
  tail: Buffer;
}

/**
 * MCP over stdio (newline-delimited JSON-RPC), as the SDK's `StdioServerTransport`, with two
 * differences a long-running server needs:
 *
 * - A message longer than the limit is skipped to its newline and answered with a JSON-RPC error
 *   (when its id can be read), and the server goes on serving. The SDK's transport closed itself
 *   instead, so `contacts serve` ended with exit 0 and "client disconnected". Memory stays bounded:
 *   a refused message is never held whole.
 * - It knows which requests are still unanswered, so a stopping server can wait for their answers
 *   ({@link whenAnswered}) and answer the rest itself ({@link answerPending}) before it exits.
 *
 * @example
 * ```ts
 * const transport = new BoundedStdioServerTransport(process.stdin, process.stdout);
 * await mcpServer.connect(transport);
 * // ... stopping:
 * await transport.whenAnswered(2_000);
 * await transport.answerPending((id, method) => stoppingAnswer(id, method));
 * ```
 */
export class BoundedStdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly maxMessageBytes: number;
  readonly #stdin: Readable;
  readonly #stdout: OutputStream;
  readonly #onOversized: ((message: OversizedMessage) => void) | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  #discarding: Discarding | null = null;
  /** Requests read and not answered yet, with their method. */
  readonly #pending = new Map<RequestId, string>();
  /** Requests this transport answered itself: a late answer from their handler is dropped. */
  readonly #answeredHere = new Set<RequestId>();
  #idle: (() => void)[] = [];
  #started = false;

  constructor(stdin: Readable, stdout: OutputStream, options: BoundedStdioOptions = {}) {
    this.#stdin = stdin;
    this.#stdout = stdout;
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MCP_MESSAGE_BYTES;
    this.#onOversized = options.onOversized;
  }

  /** The requests read and not answered yet. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('BoundedStdioServerTransport already started.');
    this.#started = true;
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onStreamError);
    // A client gone away makes writes fail (EPIPE): reported, never an uncaught exception.
    this.#stdout.on('error', this.#onStreamError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = message.id;
      if (id !== undefined) {
        if (this.#answeredHere.delete(id)) return;
        this.#settle(id);
      }
    }
    await this.#write(message);
  }

  async close(): Promise<void> {
    this.#stdin.off('data', this.#onData);
    this.#stdin.off('error', this.#onStreamError);
    this.#stdout.off('error', this.#onStreamError);
    if (this.#stdin.listenerCount('data') === 0) this.#stdin.pause();
    this.#chunks = [];
    this.#discarding = null;
    this.#wakeIdle();
    this.onclose?.();
  }

  /** Resolves once every request read has been answered, or after `timeoutMs`: true when all were. */
  whenAnswered(timeoutMs: number): Promise<boolean> {
    if (this.#pending.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(this.#pending.size === 0);
      };
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((f) => f !== done);
        resolve(false);
      }, timeoutMs);
      this.#idle.push(done);
    });
  }

  /**
   * Answers every request still unanswered with what `answer` builds for it (a result or an
   * error), and drops the handler's own answer should it come later.
   */
  async answerPending(answer: (id: RequestId, method: string) => JSONRPCMessage): Promise<RequestId[]> {
    const ids = [...this.#pending.keys()];
    for (const id of ids) {
      const method = this.#pending.get(id) ?? '';
      this.#settle(id);
      this.#answeredHere.add(id);
      await this.#write(answer(id, method));
    }
    return ids;
  }

  /** Resolves once written, or once stdout can take no more (a client gone): never waits for ever. */
  #write(message: JSONRPCMessage): Promise<void> {
    const out = this.#stdout;
    if (out.destroyed || out.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      if (out.write(serializeMessage(message))) {
        resolve();
        return;
      }
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
      out.once('error', done);
    });
  }

  #settle(id: RequestId): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#wakeIdle();
  }

  #wakeIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const wake of idle) wake();
  }

  readonly #onStreamError = (error: Error): void => {
    this.onerror?.(error);
  };

  readonly #onData = (chunk: Buffer | string): void => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (;;) {
      const newline = data.indexOf(0x0a, start);
      this.#take(newline === -1 ? data.subarray(start) : data.subarray(start, newline));
      if (newline === -1) return;
      this.#endOfLine();
      start = newline + 1;
    }
  };

  /** Adds a piece of the current line; past the limit, keeps only its two ends. */
  #take(piece: Buffer): void {
    if (piece.length === 0) return;
    const skipping = this.#discarding;
    if (skipping) {
      skipping.bytes += piece.length;
      skipping.tail = lastBytes(Buffer.concat([skipping.tail, lastBytes(piece)]));
      return;
    }
    if (this.#size + piece.length <= this.maxMessageBytes) {
      this.#chunks.push(piece);
      this.#size += piece.length;
      return;
    }
    const pieces = [...this.#chunks, piece];
    this.#discarding = {
      bytes: this.#size + piece.length,
      head: firstBytes(pieces),
      tail: lastBytes(Buffer.concat(pieces.slice(-2).map(lastBytes))),
    };
    this.#chunks = [];
    this.#size = 0;
  }

  #endOfLine(): void {
    const skipped = this.#discarding;
    if (skipped) {
      this.#discarding = null;
      this.#refuse(skipped);
      return;
    }
    const line = Buffer.concat(this.#chunks).toString('utf8').replace(/\r$/, '');
    this.#chunks = [];
    this.#size = 0;
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      // As the SDK's transport does: reported, and the next line is read.
      this.onerror?.(error as Error);
      return;
    }
    if (isJSONRPCRequest(message)) this.#pending.set(message.id, message.method);
    this.onmessage?.(message);
  }

  #refuse(skipped: Discarding): void {
    const id =
      readId(skipped.head.toString('utf8'), ID_AT_START) ?? readId(skipped.tail.toString('utf8'), ID_AT_END);
    this.#onOversized?.({ bytes: skipped.bytes, limitBytes: this.maxMessageBytes, id });
    if (id === undefined) return;
    void this.#write({
      jsonrpc: '2.0',
      id,
      error: {
        code: ErrorCode.InvalidRequest,
        message: `Message refused: it is ${skipped.bytes} bytes long and this server reads MCP messages of at most ${this.maxMessageBytes} bytes; nothing in it was acted on.`,
        data: { size_bytes: skipped.bytes, limit_bytes: this.maxMessageBytes },
      },
    });
  }
}

/** The first {@link END_BYTES} of the pieces of a line, without joining the rest. */
function firstBytes(pieces: Buffer[]): Buffer {
  const taken: Buffer[] = [];
  let length = 0;
  for (const piece of pieces) {
    if (length >= END_BYTES) break;
    taken.push(piece.subarray(0, END_BYTES - length));
    length += taken.at(-1)?.length ?? 0;
  }
  return Buffer.concat(taken);
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length > END_BYTES ? buffer.subarray(buffer.length - END_BYTES) : buffer;
}

function readId(text: string, pattern: RegExp): RequestId | undefined {
  const raw = pattern.exec(text)?.[1];
  if (raw === undefined) return undefined;
  try {
    const id: unknown = JSON.parse(raw);
    if (typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id))) return id;
  } catch {
    // Not a JSON value after all: no id.
  }
  return undefined;
}
