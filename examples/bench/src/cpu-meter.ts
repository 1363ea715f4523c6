import { readFile } from 'node:fs/promises';

/**
 * CPU time spent by each process of a phase, in ms (user + system). On this 2-core machine the
 * sync, the emulator and the PostgreSQL server compete for the same cores, so wall time alone
 * cannot say whether a phase waited or worked: its CPU can. `server` is the database server's
 * backends (PostgreSQL on this machine; null for PGlite, which runs inside `client`, or when
 * `/proc` cannot be read); `emulator` is the process serving the emulator (null when it is the
 * client's own process).
 *
 * @example
 * ```ts
 * const cpu: CpuTimes = { clientMs: 7100, serverMs: 6000, emulatorMs: 2100 };
 * totalCpuMs(cpu); // 15200: about 1.3 of 2 cores over an 11.6 s sync
 * ```
 */
export interface CpuTimes {
  clientMs: number;
  serverMs: number | null;
  emulatorMs: number | null;
}

/**
 * The sum of a phase's CPU over every process that was measured.
 *
 * @example
 * ```ts
 * totalCpuMs({ clientMs: 1000, serverMs: 3900, emulatorMs: null }); // 4900
 * ```
 */
export function totalCpuMs(cpu: CpuTimes): number {
  return cpu.clientMs + (cpu.serverMs ?? 0) + (cpu.emulatorMs ?? 0);
}

/** This process's CPU so far, in ms. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU so far of each of the given processes, in ms, from `/proc/PID/stat` (Linux; `utime` and
 * `stime` in clock ticks, taken as 10 ms: `USER_HZ` is 100 on every Linux architecture Node
 * supports). A process that cannot be read is left out.
 *
 * @example
 * ```ts
 * const byPid = await processesCpuMs([1234, 1235]); // Map { 1234 => 830, 1235 => 20 }
 * ```
 */
export async function processesCpuMs(pids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name, which is in parentheses and may hold spaces.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]); // utime (14th), stime (15th)
        if (Number.isFinite(ticks)) out.set(pid, ticks * 10);
      } catch {
        // Gone, or not Linux: not counted.
      }
    }),
  );
  return out;
}

/** Cumulative CPU readings of a phase's processes; see {@link cpuMeter}. */
export interface CpuSources {
  /** The database server's backends for this database (cumulative per pid), or null. */
  serverCpu?: (() => Promise<Map<number, number> | null>) | undefined;
  /** The emulator's process: its pid and cumulative CPU, or null. */
  emulatorCpu?: (() => Promise<{ pid: number; cpuMs: number } | null>) | undefined;
}

/**
 * Starts measuring: the returned function reads every source again and gives the CPU spent in
 * between. Readings are taken outside the caller's timed window (call it before the clock starts
 * and after it stops). A backend that appears in between counts from zero; one that exits in
 * between is not counted, nor are the server's own processes (WAL writer, checkpointer, background
 * writer, autovacuum), so `serverMs` is a lower bound.
 *
 * @example
 * ```ts
 * const stop = await cpuMeter({ serverCpu: target.serverCpu, emulatorCpu: control.emulatorCpu });
 * await runSyncCycle(...);
 * const cpu = await stop(); // { clientMs, serverMs, emulatorMs }
 * ```
 */
export async function cpuMeter(sources: CpuSources): Promise<() => Promise<CpuTimes>> {
  const server0 = (await sources.serverCpu?.()) ?? null;
  const emulator0 = (await sources.emulatorCpu?.()) ?? null;
  const client0 = processCpuMs();
  return async () => {
    const clientMs = processCpuMs() - client0;
    const server1 = (await sources.serverCpu?.()) ?? null;
    const emulator1 = (await sources.emulatorCpu?.()) ?? null;
    let serverMs: number | null = null;
    if (server0 && server1) {
      serverMs = 0;
      for (const [pid, ms] of server1) serverMs += ms - (server0.get(pid) ?? 0);
    }
    const emulatorMs =
      emulator0 && emulator1 && emulator0.pid !== process.pid ? emulator1.cpuMs - emulator0.cpuMs : null;
    return { clientMs, serverMs, emulatorMs };
  };
}

/**
 * The CPU of several timed windows of one phase added up (the ceiling times each transaction).
 *
 * @example
 * ```ts
 * const all = addCpu(first, second);
 * ```
 */
export function addCpu(a: CpuTimes, b: CpuTimes): CpuTimes {
  const plus = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  return {
    clientMs: a.clientMs + b.clientMs,
    serverMs: plus(a.serverMs, b.serverMs),
    emulatorMs: plus(a.emulatorMs, b.emulatorMs),
  };
}
