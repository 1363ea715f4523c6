/** Hands out the emulator's change sequence: one counter for people, other contacts and groups. */
export class SequenceCounter {
  value = 0;
  next(): number {
    this.value += 1;
    return this.value;
  }
}

/** The index of the first element of ascending `values` greater than `target`. */
export function upperBound(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) <= target) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * An append-only log of changes. A record changed twice has two entries; only the one matching its
 * current `changeSeq` is live, so "what changed since N" skips stale entries and returns each
 * changed record once, in change order, in time proportional to the changes.
 */
export class ChangeLog<R extends { changeSeq: number }> {
  private readonly seqs: number[] = [];
  private readonly records: R[] = [];

  append(record: R): void {
    this.seqs.push(record.changeSeq);
    this.records.push(record);
  }

  /** Records changed after `seq`, in change order. */
  *after(seq: number): Generator<R> {
    for (let i = upperBound(this.seqs, seq); i < this.records.length; i++) {
      const record = this.records[i] as R;
      if (record.changeSeq === this.seqs[i]) yield record;
    }
  }

  countAfter(seq: number): number {
    let count = 0;
    for (const _ of this.after(seq)) count += 1;
    return count;
  }
}
