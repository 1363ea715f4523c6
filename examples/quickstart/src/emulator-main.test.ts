import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// `pnpm emulator` as a person starts it: pnpm, its script's shell, then node. Each test waits for
// the emulator's port to close, with a deadline (no timing is asserted).
const root = resolve(import.meta.dirname, '../../..');
const DEADLINE_MS = 30_000;

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  // The whole group, even when pnpm is gone: an emulator that outlived it is in there too.
  for (const child of children.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts `pnpm emulator ARGS` in a process group of its own; resolves once it serves. */
async function startPnpmEmulator(args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): Promise<Started> {
  const child = spawn('pnpm', ['--silent', 'emulator', ...args], {
    cwd: root,
    detached: true,
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, INIT_CWD: root },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no JSON line in ${DEADLINE_MS} ms: ${err}`)), DEADLINE_MS);
    const look = () => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      const ready = args.includes('--data-dir') ? out.includes('Serving until Ctrl-C.') : line !== undefined;
      if (line && ready) {
        clearTimeout(timer);
        done((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout!.on('data', look);
    child.on('exit', () => fail(new Error(`pnpm emulator exited early: ${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err };
}

/** Resolves once nothing answers on `url` any more; rejects after the deadline. */
async function closed(url: string): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (Date.now() < until) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the emulator at ${url} still answers after ${DEADLINE_MS} ms`);
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });

describe('pnpm emulator stops with the processes that started it', () => {
  it('SIGTERM to its process group stops it (pnpm, the shell and the emulator)', async () => {
    const { child, url } = await startPnpmEmulator(['--people', '3']);
    expect((await fetch(url)).status).toBeGreaterThan(0);
    process.kill(-child.pid!, 'SIGTERM');
    await exited(child);
    await closed(url);
  });

  it('SIGTERM to pnpm alone stops it too (pnpm does not forward it; the emulator sees its parent go)', async () => {
    const { child, url } = await startPnpmEmulator(['--people', '3']);
    process.kill(child.pid!, 'SIGTERM');
    await exited(child);
    await closed(url);
  });

  it('SIGHUP (the terminal closed) stops it', async () => {
    const { child, url } = await startPnpmEmulator(['--people', '3']);
    process.kill(-child.pid!, 'SIGHUP');
    await exited(child);
    await closed(url);
  });

  it('stdin closing stops it when stdin is a pipe', async () => {
    const { child, url } = await startPnpmEmulator(['--people', '3'], 'pipe');
    child.stdin!.end();
    await exited(child);
    await closed(url);
  });

  it('with --data-dir, says what to type next and writes the directory first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contacts-pnpm-emulator-'));
    dirs.push(dir);
    const dataDir = join(dir, '.contacts-emulator');
    const { child, url, stdout } = await startPnpmEmulator(['--people', '3', '--data-dir', dataDir]);
    expect(stdout()).toContain(`pnpm contacts --data-dir ${dataDir} sync`);
    expect(readFileSync(join(dataDir, 'butler.toml'), 'utf8')).toContain(`root_url = "${url}"`);
    process.kill(-child.pid!, 'SIGTERM');
    await exited(child);
    await closed(url);
  });
});
