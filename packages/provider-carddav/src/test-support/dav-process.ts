import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The path of an executable on `PATH`, or null when it is not installed.
 *
 * @example
 * ```ts
 * findExecutable('radicale'); // '/usr/bin/radicale' or null
 * ```
 */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * A free TCP port on 127.0.0.1 (asked of the kernel, then released for the server to take).
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * A server process the tests started, with its throwaway directory.
 *
 * @example
 * ```ts
 * const running: DavProcess = await startDavProcess({ command: 'xandikos', args: (dir, port) => [...] });
 * await running.stop();
 * ```
 */
export interface DavProcess {
  port: number;
  dir: string;
  /** Everything the process wrote, for a failing test's message. */
  output(): string;
  /** Stops the process and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Options of {@link startDavProcess}.
 *
 * @example
 * ```ts
 * const options: DavProcessOptions = { command: '/usr/bin/radicale', args: (dir, port) => ['-C', `${dir}/config`], prepare };
 * ```
 */
export interface DavProcessOptions {
  command: string;
  args: (dir: string, port: number) => string[];
  /** Writes config files into the directory before the start. */
  prepare?: (dir: string, port: number) => void;
  /** How long to wait for the port to accept connections (default 20 s: a loaded machine). */
  startTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts a server on a free loopback port with storage in a fresh temp directory, and resolves
 * once the port accepts connections. The directory is removed when the process is stopped (or
 * fails to start).
 *
 * @throws Error with the process's output when it exits or does not listen in time.
 * @example
 * ```ts
 * const server = await startDavProcess({ command: 'xandikos', args: (dir, port) => ['--defaults', '-d', dir, '-l', '127.0.0.1', '-p', String(port)] });
 * ```
 */
export async function startDavProcess(options: DavProcessOptions): Promise<DavProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-dav-'));
  const port = await freePort();
  let log = '';
  options.prepare?.(dir, port);
  const child = spawn(options.command, options.args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  // A readiness poll of the launcher (not a timed assertion): the port opens ~1 s after spawn.
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${options.command} did not start listening on 127.0.0.1:${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, dir, output: () => log, stop };
}
