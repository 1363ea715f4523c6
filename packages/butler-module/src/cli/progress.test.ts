import { emptySummary } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { captureStream } from '../test-support/cli-harness.js';
import { progressDisplay } from './progress.js';
import { streamLogger } from './stream-logger.js';

const page = (n: number) => ({
  mode: 'full' as const,
  page: n,
  summary: { ...emptySummary(), fetched: n * 100 },
});

describe('progress display and stream logger', () => {
  it('writes a plain line every N pages, and the last one, when stderr is not a terminal', async () => {
    const stream = captureStream(false);
    const display = progressDisplay(stream, 'google (default)', 2);
    for (let n = 1; n <= 5; n += 1) display.update(page(n));
    display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.text().trim().split('\n')).toEqual([
      'full sync: page 2, 200 fetched, 0 created, 0 updated, 0 failed',
      'full sync: page 4, 400 fetched, 0 created, 0 updated, 0 failed',
      'full sync: page 5, 500 fetched, 0 created, 0 updated, 0 failed',
    ]);
  });

  it('draws a live line on a terminal', async () => {
    const stream = Object.assign(captureStream(true), {
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const display = progressDisplay(stream, 'google (default)');
    display.update(page(1));
    display.update(page(2));
    display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.text()).toContain('Syncing google (default) [full] page 1 | 100 fetched');
  });

  it('logs one readable line per event, filtered by level', async () => {
    const stream = captureStream();
    const logger = streamLogger(stream, 'info', () => new Date('2026-03-01T08:00:00Z'));
    logger.debug('hidden');
    logger.info('contacts_sync_started', {
      provider: 'google',
      mode: 'full',
      error: 'two words',
      n: 3,
      skip: undefined,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.text()).toBe(
      '2026-03-01T08:00:00.000Z info contacts_sync_started provider=google mode=full error="two words" n=3\n',
    );
  });
});
