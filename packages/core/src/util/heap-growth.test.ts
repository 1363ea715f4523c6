import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapGrowthFlag, limitHeapGrowth } from './heap-growth.js';

/**
 * The largest heap a plain node process reaches while it keeps ~30 MB and throws much more away,
 * with `flag` set at run time as {@link limitHeapGrowth} sets it. (Plain node: a loader such as
 * tsx changes V8's own growth decisions.)
 */
function peakHeapMb(flag: string | null): number {
  const script = `
    ${flag ? `(await import('node:v8')).setFlagsFromString(${JSON.stringify(flag)});` : ''}
    const live = [];
    for (let i = 0; i < 300_000; i += 1) live.push({ i, s: 'live ' + i });
    let max = 0;
    for (let round = 0; round < 400; round += 1) {
      const garbage = [];
      for (let i = 0; i < 20_000; i += 1) garbage.push({ round, i, s: 'garbage ' + round + ' ' + i, a: [i, i + 1] });
      if (round % 10 === 0) live.splice(0, 1000, ...garbage.slice(0, 1000));
      max = Math.max(max, process.memoryUsage().heapTotal);
    }
    console.log(Math.round(max / 1e6));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim());
}

describe('limitHeapGrowth', () => {
  it('keeps the heap of a process that allocates like a sync well below where V8 lets it grow', () => {
    // Measured here: ~190 MB without, ~127 MB with (a factor of 2 instead of up to 4).
    const free = peakHeapMb(null);
    const limited = peakHeapMb(heapGrowthFlag());
    expect(limited).toBeLessThan(free * 0.85);
  });

  it('sets a flag V8 takes, and refuses a percent it would not', () => {
    expect(heapGrowthFlag()).toBe('--heap-growing-percent=100');
    expect(() => limitHeapGrowth(0)).toThrow(RangeError);
    expect(() => heapGrowthFlag(1.5)).toThrow(RangeError);
  });
});
