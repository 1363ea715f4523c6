import { describe, expect, it } from 'vitest';
import { addCpu, cpuMeter, processesCpuMs, totalCpuMs } from './cpu-meter.js';
import { formatCpuLine, medianCpu } from './cpu-summary.js';

describe('cpu meter', () => {
  it.runIf(process.platform === 'linux')(
    'reads a live process from /proc and leaves out one that is gone',
    async () => {
      // Burn a little CPU so that this process has at least one tick.
      let x = 0;
      for (let i = 0; i < 5e7; i += 1) x += i % 7;
      expect(x).toBeGreaterThan(0);
      const cpu = await processesCpuMs([process.pid, 2 ** 22 + 17]);
      expect(cpu.get(process.pid)).toBeGreaterThan(0);
      expect(cpu.has(2 ** 22 + 17)).toBe(false);
    },
  );

  it('splits a phase by process: backends that appear count from zero, the emulator only when it is another process', async () => {
    let server = new Map([[10, 500]]);
    let emulator = { pid: process.pid + 1, cpuMs: 1000 };
    const stop = await cpuMeter({ serverCpu: async () => server, emulatorCpu: async () => emulator });
    server = new Map([
      [10, 800],
      [11, 200],
    ]);
    emulator = { pid: process.pid + 1, cpuMs: 1700 };
    const cpu = await stop();
    expect(cpu.serverMs).toBe(500);
    expect(cpu.emulatorMs).toBe(700);
    expect(cpu.clientMs).toBeGreaterThanOrEqual(0);

    const inProcess = await cpuMeter({ emulatorCpu: async () => ({ pid: process.pid, cpuMs: 0 }) });
    expect(await inProcess()).toMatchObject({ serverMs: null, emulatorMs: null });
  });

  it('adds windows, totals what was measured, and takes medians part by part', () => {
    const a = { clientMs: 100, serverMs: 300, emulatorMs: null };
    const b = { clientMs: 50, serverMs: 100, emulatorMs: null };
    expect(addCpu(a, b)).toEqual({ clientMs: 150, serverMs: 400, emulatorMs: null });
    expect(totalCpuMs(addCpu(a, b))).toBe(550);
    const median = (values: readonly number[]) =>
      [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
    expect(medianCpu([a, b, { clientMs: 70, serverMs: 200, emulatorMs: null }], median)).toEqual({
      clientMs: 70,
      serverMs: 200,
      emulatorMs: null,
    });
  });

  it('prints each phase over its wall time, and the sync against the ceiling', () => {
    const line = formatCpuLine(
      'postgres',
      25_000,
      {
        firstSync: { clientMs: 7000, serverMs: 6000, emulatorMs: 2000 },
        ceiling: { clientMs: 1000, serverMs: 4000, emulatorMs: null },
        fetchFloor: { clientMs: 1200, serverMs: null, emulatorMs: 800 },
      },
      { firstSyncMs: 10_000, ceilingMs: 5000, fetchFloorMs: 1000 },
      2,
    );
    expect(line).toBe(
      'postgres N=25,000 CPU (user + system): first full sync 15.0 s (client 7.00, database server 6.00, emulator 2.00) in 10.0 s = 1.50 of 2 cores; ' +
        'ceiling 5.00 s (client 1.00, database server 4.00) in 5.00 s = 1.00 of 2 cores; ' +
        "fetch floor 2.00 s (client 1.20, emulator 0.80) in 1.00 s = 2.00 of 2 cores; first full sync CPU = 3.00 x the ceiling's",
    );
  });
});
