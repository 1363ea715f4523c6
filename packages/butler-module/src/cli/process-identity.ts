import { readFileSync } from 'node:fs';

/**
 * What the data-directory lock needs to know about processes: a pid alone does not name a
 * process (pids are reused, and a container's pid 1 is another process than the host's), so a
 * holder is named by its pid AND its start time, on one boot of one machine.
 *
 * @example
 * ```ts
 * const processes = systemProcesses();
 * processes.self(); // { pid: 4242, start: 'linux:186577' }
 * processes.startOf(4242); // 'linux:186577', or null when it cannot be read
 * ```
 */
export interface ProcessTable {
  /** This process: its pid and start time. */
  self(): { pid: number; start: string };
  /** The boot this machine is in (Linux's boot id), or null where it cannot be read. */
  bootId(): string | null;
  /** Whether a process with this pid exists (another user's counts). */
  isAlive(pid: number): boolean;
  /**
   * The start time of process `pid` in the form {@link ProcessTable.self} writes it, or null when
   * it cannot be read (not Linux, or its /proc entry is hidden): then the pid is all there is.
   */
  startOf(pid: number): string | null;
  /** The parent of `pid`, or null when it cannot be read. */
  parentOf(pid: number): number | null;
}

/** `/proc/<pid>/stat` fields after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

// Field 22 of stat(5), the start time in clock ticks since boot, is index 19 after the name;
// field 4, the parent pid, is index 1.
const START_TICKS = 19;
const PARENT_PID = 1;

function linuxStart(pid: number | 'self'): string | null {
  const ticks = statFields(pid)?.[START_TICKS];
  return ticks && /^\d+$/.test(ticks) ? `linux:${ticks}` : null;
}

/**
 * The real process table: Linux's /proc where it exists. Elsewhere a process's start is known
 * only to itself (the instant its clock started), so another pid is judged by `kill(pid, 0)`.
 *
 * @example
 * ```ts
 * const lock = await acquireDataDirLock(dataDir, { processes: systemProcesses() });
 * ```
 */
export function systemProcesses(): ProcessTable {
  const ownStart = linuxStart('self') ?? `origin:${performance.timeOrigin}`;
  let bootId: string | null | undefined;
  return {
    self: () => ({ pid: process.pid, start: ownStart }),
    bootId: () => {
      if (bootId === undefined) {
        try {
          bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
        } catch {
          bootId = null;
        }
      }
      return bootId;
    },
    isAlive: (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        // EPERM: it exists but belongs to another user.
        return (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
    startOf: (pid) => (pid === process.pid ? ownStart : linuxStart(pid)),
    parentOf: (pid) => {
      if (pid === process.pid) return process.ppid;
      const parent = Number(statFields(pid)?.[PARENT_PID]);
      return Number.isInteger(parent) && parent > 0 ? parent : null;
    },
  };
}
