import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { cliCommand, PACKAGE_DIR } from './cli-process.js';

/** What a tool call came back with, for tests: the error sentence or the structured result. */
export interface ToolOutcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
}

/**
 * A `contacts serve` child process with an MCP client on its stdio.
 *
 * It runs `src/cli/bin.ts` through tsx exactly as `bin/contacts.mjs` does in a checkout, but
 * without that launcher in between: the launcher is a second process, so the transport's pid (and
 * a `kill -9` of it) would hit the launcher and leave the real server running.
 *
 * @example
 * ```ts
 * const a = await ServeProcess.start('a', ['--database-url', url, '--google-root-url', proxy.url]);
 * const result = await a.call('contacts_sync_now', { mode: 'full' });
 * await a.close();
 * ```
 */
export class ServeProcess {
  stderr = '';
  readonly protocolErrors: Error[] = [];
  #exited: Promise<void>;
  #frozen = false;

  private constructor(
    readonly name: string,
    readonly client: Client,
    readonly transport: StdioClientTransport,
    exited: Promise<void>,
  ) {
    this.#exited = exited;
  }

  /** Spawns `contacts serve <args>` and connects (the server's startup sync runs in the background). */
  static async start(name: string, args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
    const transport = new StdioClientTransport({
      ...cliCommand(['serve', ...args]),
      env: { ...getDefaultEnvironment(), ...env },
      cwd: PACKAGE_DIR,
      stderr: 'pipe',
    });
    let resolveExit!: () => void;
    const exited = new Promise<void>((resolve) => {
      resolveExit = resolve;
    });
    const client = new Client({ name: `two-processes-${name}`, version: '0.0.0' });
    const server = new ServeProcess(name, client, transport, exited);
    transport.stderr?.on('data', (chunk: Buffer) => {
      server.stderr += chunk.toString('utf8');
    });
    client.onerror = (error) => server.protocolErrors.push(error);
    client.onclose = () => resolveExit();
    await client.connect(transport);
    return server;
  }

  /** Resolves once the server's connection is gone (it exited, or its stdio closed). */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /** The server's own pid (not a launcher's). */
  get pid(): number {
    const pid = this.transport.pid;
    if (pid === null) throw new Error(`contacts serve "${this.name}" is not running.`);
    return pid;
  }

  /** Calls a tool; protocol failures reject, tool failures resolve with `isError`. */
  async call(name: string, args: Record<string, unknown> = {}): Promise<ToolOutcome> {
    // A full sync of thousands of contacts behind a held one can outlast the SDK's 60 s default.
    const result = (await this.client.callTool({ name, arguments: args }, undefined, {
      timeout: 120_000,
    })) as CallToolResult;
    const text = result.content
      .map((part) => (part.type === 'text' ? part.text : ''))
      .join('\n')
      .trim();
    return {
      isError: Boolean(result.isError),
      text,
      structured: result.structuredContent as Record<string, unknown> | undefined,
    };
  }

  /**
   * SIGSTOP freezes the process (alive, holding what it holds, doing nothing: a hung process, or
   * a host cut off); SIGCONT thaws it.
   */
  freeze(): void {
    process.kill(this.pid, 'SIGSTOP');
    this.#frozen = true;
  }

  thaw(): void {
    if (this.transport.pid !== null) process.kill(this.transport.pid, 'SIGCONT');
    this.#frozen = false;
  }

  /** SIGKILL: no shutdown, no lease release, no last words. Resolves when the process is gone. */
  async kill9(): Promise<void> {
    process.kill(this.pid, 'SIGKILL');
    await this.#exited;
  }

  /** Closes the client, which ends the server (stdin closes; SIGTERM, then SIGKILL if it lingers). */
  async close(): Promise<void> {
    // A frozen process would sit out the polite part of the shutdown.
    if (this.#frozen) this.thaw();
    await this.client.close();
    await this.#exited;
  }
}

/**
 * Polls `probe` until it returns something other than `undefined`, or fails after `timeoutMs`
 * with `what` in the message. For waiting on another process, whose progress no promise here
 * can observe.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
