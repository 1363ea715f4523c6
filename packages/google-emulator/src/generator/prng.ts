/**
 * A small seeded PRNG (sfc32 seeded through splitmix32): the generator must give identical books
 * for identical seeds on every machine, which `Math.random` cannot.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0 || 0x9e3779b9;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    // Fold in the high bits too, so seeds beyond 2^32 still differ.
    const high = Math.floor(seed / 0x100000000) | 0;
    this.a = splitmix() ^ high;
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` decimal digits (leading zeros allowed). */
  digits(n: number): string {
    return this.chars(n, '0123456789');
  }

  /** `n` lower-case hex digits. */
  hex(n: number): string {
    return this.chars(n, '0123456789abcdef');
  }

  /** `n` characters of base64url alphabet, for opaque URL parts. */
  base64url(n: number): string {
    return this.chars(n, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
  }

  // Built with join, not `+=`: a string grown one character at a time stays a chain of V8 cons
  // strings, and 25,000 people of such chains keep the garbage collector busy for seconds.
  private chars(n: number, alphabet: string): string {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = alphabet[Math.floor(this.next() * alphabet.length)] as string;
    return out.join('');
  }
}
