import { emptySummary, type SyncProgress } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { captureStream } from '../test-support/cli-harness.js';
import { progressDisplay } from './progress.js';
import { describeFigures, ListingPace } from './progress-eta.js';

/** A clock the test moves by hand. */
function fakeClock(start = Date.parse('2026-03-01T08:00:00Z')) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const progress = (page: number, fetched: number, listed: number, total?: number): SyncProgress => ({
  mode: 'full',
  page,
  summary: { ...emptySummary(), fetched, created: fetched },
  listed,
  ...(total !== undefined ? { total } : {}),
});

describe('n of N, percentage and time left', () => {
  it('works the time left out of this sync’s pace', () => {
    const clock = fakeClock();
    const pace = new ListingPace(clock);
    clock.advance(10_000);
    // 1,000 of 20,000 in 10 s: 19,000 left at 100 a second.
    expect(pace.figures(progress(1, 1_000, 1_000, 20_000))).toEqual({
      listed: 1_000,
      total: 20_000,
      percent: 5,
      etaSeconds: 190,
    });
    clock.advance(10_000);
    expect(describeFigures(pace.figures(progress(2, 2_000, 2_000, 20_000))!)).toBe(
      '2000 of 20000 (10%, about 3 min left)',
    );
  });

  it('counts a resumed listing’s earlier pages in n but not in the pace', () => {
    const clock = fakeClock();
    const pace = new ListingPace(clock);
    clock.advance(5_000);
    // 500 fetched here in 5 s, 5,500 listed in all: 4,500 left at 100 a second.
    expect(pace.figures(progress(1, 500, 5_500, 10_000))).toMatchObject({ percent: 55, etaSeconds: 45 });
  });

  it('has no total without one, no time before a pace, never more than 100 %', () => {
    const clock = fakeClock();
    const pace = new ListingPace(clock);
    expect(pace.figures(progress(1, 100, 100))).toBeNull();
    expect(pace.figures(progress(1, 100, 100, 400))).toMatchObject({ percent: 25, etaSeconds: null });
    expect(describeFigures(pace.figures(progress(1, 100, 100, 400))!)).toBe('100 of 400 (25%)');
    clock.advance(1_000);
    expect(pace.figures(progress(3, 420, 420, 400))).toMatchObject({ percent: 100, etaSeconds: 0 });
    expect(pace.figures(progress(1, 0, 0, 0))).toMatchObject({ percent: 100, etaSeconds: 0 });
  });

  it('shows them in the plain lines a log gets', async () => {
    const clock = fakeClock();
    const stream = captureStream(false);
    const display = progressDisplay(stream, 'google (default)', 1, clock);
    clock.advance(4_000);
    display.update(progress(1, 1_000, 1_000, 3_000));
    clock.advance(4_000);
    display.update(progress(2, 2_000, 2_000, 3_000));
    display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.text().trim().split('\n')).toEqual([
      'full sync: page 1, 1000 of 3000 (33%, about 8 s left), 1000 fetched, 1000 created, 0 updated, 0 failed',
      'full sync: page 2, 2000 of 3000 (66%, about 4 s left), 2000 fetched, 2000 created, 0 updated, 0 failed',
    ]);
  });

  it('draws a bar with n of N on a terminal', async () => {
    const clock = fakeClock();
    const stream = Object.assign(captureStream(true), {
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const display = progressDisplay(stream, 'google (default)', 10, clock);
    clock.advance(30_000);
    display.update(progress(1, 1_000, 1_000, 4_000));
    display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.text()).toContain('1000 of 4000 (25%, about 1 min left) | 1000 fetched');
  });
});
