/**
 * One card the scripted server holds.
 *
 * @example
 * ```ts
 * const card: ScriptedCard = { name: '1.vcf', data: 'BEGIN:VCARD\r\n...', version: 3 };
 * ```
 */
export interface ScriptedCard {
  name: string;
  data: string;
  /** The change sequence number of its last write. */
  version: number;
}

/**
 * The change log of the scripted server's one book: every write and delete gets the next
 * sequence number, and a sync token is an epoch and a sequence number, so a token names exactly
 * the changes after it, a continuation is just the last sequence number sent, and
 * {@link ScriptedBook.invalidateTokens} (a new epoch) makes every token handed out so far invalid.
 *
 * @example
 * ```ts
 * const book = new ScriptedBook();
 * book.put('1.vcf', 'BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n');
 * book.changesSince(0); // [{ name: '1.vcf', seq: 1, card }]
 * ```
 */
export class ScriptedBook {
  readonly cards = new Map<string, ScriptedCard>();
  readonly tombstones = new Map<string, number>();
  seq = 0;
  epoch = 1;

  put(name: string, data: string): ScriptedCard {
    this.seq += 1;
    const card = { name, data, version: this.seq };
    this.cards.set(name, card);
    this.tombstones.delete(name);
    return card;
  }

  delete(name: string): boolean {
    if (!this.cards.delete(name)) return false;
    this.seq += 1;
    this.tombstones.set(name, this.seq);
    return true;
  }

  /** Every token handed out so far stops being accepted (an expired token, mid-life). */
  invalidateTokens(): void {
    this.epoch += 1;
  }

  token(seq = this.seq): string {
    return `http://scripted.test/sync/${this.epoch}-${seq}`;
  }

  /** The sequence number a token stands for, or null when it is not one of this epoch's. */
  readToken(token: string): number | null {
    const match = token.match(/^http:\/\/scripted\.test\/sync\/(\d+)-(\d+)$/);
    if (!match || Number(match[1]) !== this.epoch || Number(match[2]) > this.seq) return null;
    return Number(match[2]);
  }

  /** Changes after `seq` in order: live cards (card set) and deletions (card undefined). */
  changesSince(seq: number): { name: string; seq: number; card?: ScriptedCard }[] {
    const changes = [
      ...[...this.cards.values()]
        .filter((c) => c.version > seq)
        .map((card) => ({ name: card.name, seq: card.version, card })),
      ...[...this.tombstones]
        .filter(([, at]) => at > seq && seq > 0)
        .map(([name, at]) => ({ name, seq: at })),
    ];
    return changes.sort((a, b) => a.seq - b.seq);
  }
}
