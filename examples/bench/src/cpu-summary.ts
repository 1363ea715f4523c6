import { z } from 'zod';
import { type CpuTimes, totalCpuMs } from './cpu-meter.js';
import { formatCount, formatSeconds } from './format-numbers.js';

const ms = z.number().nonnegative();

/** A phase's CPU as the results file keeps it (medians of the runs, ms). */
export const CpuSummary = z.object({ clientMs: ms, serverMs: ms.nullable(), emulatorMs: ms.nullable() });
export type CpuSummary = z.infer<typeof CpuSummary>;

/** The CPU of the phases the 1.3 goal compares: the first full sync, the ceiling, the fetch floor. */
export const CaseCpuSummary = z.object({
  firstSync: CpuSummary,
  ceiling: CpuSummary,
  fetchFloor: CpuSummary,
});
export type CaseCpuSummary = z.infer<typeof CaseCpuSummary>;

/**
 * The per-process medians of several runs' CPU of one phase (each process on its own, so the
 * parts may come from different runs; a part null in any run is null).
 *
 * @example
 * ```ts
 * medianCpu([{ clientMs: 7000, serverMs: 6000, emulatorMs: 2000 }, ...], median);
 * ```
 */
export function medianCpu(
  runs: readonly CpuTimes[],
  median: (values: readonly number[]) => number,
): CpuSummary {
  const part = (key: keyof CpuTimes): number | null => {
    const values = runs.map((r) => r[key]);
    return values.every((v): v is number => v !== null) ? Math.round(median(values)) : null;
  };
  return { clientMs: part('clientMs') ?? 0, serverMs: part('serverMs'), emulatorMs: part('emulatorMs') };
}

function phase(name: string, cpu: CpuSummary, wallMs: number, cores: number): string {
  const parts = [
    `client ${formatSeconds(cpu.clientMs)}`,
    ...(cpu.serverMs !== null ? [`database server ${formatSeconds(cpu.serverMs)}`] : []),
    ...(cpu.emulatorMs !== null ? [`emulator ${formatSeconds(cpu.emulatorMs)}`] : []),
  ];
  const total = totalCpuMs(cpu);
  const busy = wallMs > 0 ? (total / wallMs).toFixed(2) : '-';
  return `${name} ${formatSeconds(total)} s (${parts.join(', ')}) in ${formatSeconds(wallMs)} s = ${busy} of ${cores} cores`;
}

/**
 * The CPU line after the floor line: what each phase cost in CPU, over its wall time. When the
 * cores are busy for the whole sync, a faster sync needs less CPU, not more overlap.
 *
 * @example
 * ```ts
 * formatCpuLine('postgres', 25_000, cpu, { firstSyncMs: 11_600, ceilingMs: 4610, fetchFloorMs: 1480 }, 2);
 * // postgres N=25,000 CPU: first full sync 15.2 s (client 7.1, ...) in 11.6 s = 1.31 of 2 cores; ...
 * ```
 */
export function formatCpuLine(
  driver: string,
  size: number,
  cpu: CaseCpuSummary,
  walls: { firstSyncMs: number; ceilingMs: number; fetchFloorMs: number },
  cores: number,
): string {
  const over =
    totalCpuMs(cpu.ceiling) > 0 ? (totalCpuMs(cpu.firstSync) / totalCpuMs(cpu.ceiling)).toFixed(2) : '-';
  return (
    `${driver} N=${formatCount(size)} CPU (user + system): ` +
    `${phase('first full sync', cpu.firstSync, walls.firstSyncMs, cores)}; ` +
    `${phase('ceiling', cpu.ceiling, walls.ceilingMs, cores)}; ` +
    `${phase('fetch floor', cpu.fetchFloor, walls.fetchFloorMs, cores)}; ` +
    `first full sync CPU = ${over} x the ceiling's`
  );
}
