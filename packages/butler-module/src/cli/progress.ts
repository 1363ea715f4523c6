import type { SyncProgress } from '@contacts/core';
import { SingleBar } from 'cli-progress';
import type { OutputStream } from './cli-io.js';

/** Shows a sync's progress: a live line on a terminal, a plain line every `every` pages otherwise. */
export interface ProgressDisplay {
  update(progress: SyncProgress): void;
  stop(): void;
}

const describe = (p: SyncProgress): string =>
  `${p.mode} sync: page ${p.page}, ${p.summary.fetched} fetched, ${p.summary.created} created, ${p.summary.updated} updated, ${p.summary.failed} failed`;

/**
 * A progress display on `stream`: cli-progress when it is a TTY (the total is unknown, so it
 * counts pages and contacts), plain log-friendly lines otherwise.
 *
 * @example
 * ```ts
 * const display = progressDisplay(process.stderr, 'google (default)');
 * display.update({ mode: 'full', page: 1, summary });
 * display.stop();
 * ```
 */
export function progressDisplay(stream: OutputStream, label: string, every = 10): ProgressDisplay {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `Syncing ${label} [{mode}] page {page} | {fetched} fetched, {created} created, {updated} updated, {skipped} unchanged, {failed} failed`,
      hideCursor: true,
      clearOnComplete: true,
      noTTYOutput: false,
    });
    let started = false;
    return {
      update(p) {
        const payload = { mode: p.mode, page: p.page, ...p.summary };
        if (!started) {
          bar.start(0, 0, payload);
          started = true;
        } else bar.update(0, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last: SyncProgress | null = null;
  return {
    update(p) {
      last = p;
      if (p.page % every === 0) stream.write(`${describe(p)}\n`);
    },
    stop() {
      if (last && last.page % every !== 0 && last.page > every) stream.write(`${describe(last)}\n`);
    },
  };
}
