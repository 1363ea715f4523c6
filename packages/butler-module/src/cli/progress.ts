import { type Clock, type SyncProgress, systemClock } from '@contacts/core';
import { SingleBar } from 'cli-progress';
import type { OutputStream } from './cli-io.js';
import { describeEta, describeFigures, ListingPace } from './progress-eta.js';

/** Shows a sync's progress: a live line on a terminal, a plain line every `every` pages otherwise. */
export interface ProgressDisplay {
  update(progress: SyncProgress): void;
  stop(): void;
}

const counts = (p: SyncProgress): string =>
  `${p.summary.fetched} fetched, ${p.summary.created} created, ${p.summary.updated} updated, ${p.summary.failed} failed`;

/**
 * A progress display on `stream`: cli-progress when it is a TTY, plain log-friendly lines
 * otherwise. When the source gave the listing's size, both show "n of N", the percentage and the
 * time left at this sync's pace (measured on `clock`); otherwise pages and counts.
 *
 * @example
 * ```ts
 * const display = progressDisplay(process.stderr, 'google (default)');
 * display.update({ mode: 'full', page: 1, summary, listed: 1000, total: 20_000 });
 * display.stop();
 * ```
 */
export function progressDisplay(
  stream: OutputStream,
  label: string,
  every = 10,
  clock: Clock = systemClock,
): ProgressDisplay {
  const pace = new ListingPace(clock);
  if (stream.isTTY) return terminalDisplay(stream, label, pace);
  const describe = (p: SyncProgress): string => {
    const figures = pace.figures(p);
    return `${p.mode} sync: page ${p.page}, ${figures ? `${describeFigures(figures)}, ` : ''}${counts(p)}`;
  };
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

/** The live line; its format is chosen at the first page, when it is known whether a total comes. */
function terminalDisplay(stream: OutputStream, label: string, pace: ListingPace): ProgressDisplay {
  const tail =
    '{fetched} fetched, {created} created, {updated} updated, {skipped} skipped, {unchanged} unchanged, {failed} failed';
  let bar: SingleBar | null = null;
  return {
    update(p) {
      const figures = pace.figures(p);
      const payload = {
        mode: p.mode,
        page: p.page,
        ...p.summary,
        // Not `eta`: cli-progress fills that token with its own estimate, on its own clock.
        left: figures?.etaSeconds != null ? `, ${describeEta(figures.etaSeconds)}` : '',
      };
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: figures
            ? `Syncing ${label} [{mode}] {bar} {value} of {total} ({percentage}%{left}) | ${tail}`
            : `Syncing ${label} [{mode}] page {page} | ${tail}`,
          hideCursor: true,
          clearOnComplete: true,
          noTTYOutput: false,
        });
        bar.start(figures?.total ?? 0, figures?.listed ?? 0, payload);
      } else {
        if (figures) bar.setTotal(figures.total);
        bar.update(figures?.listed ?? 0, payload);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
