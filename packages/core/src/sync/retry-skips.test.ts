import { describe, expect, it } from 'vitest';
import { RetrySkips } from './retry-skips.js';

describe('RetrySkips', () => {
  it('holds what the retry must skip and nothing per contact seen without a failure', () => {
    const skips = new RetrySkips([]);
    const page = Array.from({ length: 1000 }, (_, i) => `people/c${i}`);
    for (let p = 0; p < 5; p += 1) skips.page(page);
    // A full sync of a book without failures keeps nothing across its pages.
    expect(skips.size).toBe(0);
    skips.page(['people/x', 'people/y'], ['people/y']);
    expect(skips.size).toBe(1);
    expect(skips.has('people/y')).toBe(true);
    expect(skips.has('people/x')).toBe(false);
  });

  it("skips an earlier cycle's failure once this cycle saw it again, and only then", () => {
    const skips = new RetrySkips(['people/old', 'people/gone', 'people/elsewhere']);
    skips.page(['people/old', 'people/new']);
    // Told deleted by an incremental page.
    skips.page(['people/gone']);
    expect(skips.has('people/old')).toBe(true);
    expect(skips.has('people/gone')).toBe(true);
    // Not seen by this cycle: its stored payload is retried.
    expect(skips.has('people/elsewhere')).toBe(false);
    expect(skips.has('people/new')).toBe(false);
    expect(skips.size).toBe(2);
  });
});
