import { describe, expect, it } from 'vitest';
import {
  boundedJson,
  CUT_MARKER,
  MAX_KEPT_CHARACTERS,
  MAX_KEPT_DEPTH,
  MAX_KEPT_VALUES,
} from './bounded-json.js';

const nest = (depth: number, leaf: unknown = { value: 'a@x.org' }): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i += 1) v = [v];
  return v;
};
/** How many objects and arrays deep `value` nests. */
const depthOf = (value: unknown): number => {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
};

describe('boundedJson', () => {
  it('copies an ordinary payload exactly, as a JSON round trip would', () => {
    const payload = {
      external_id: 'people/c1',
      emails: [{ value: 'a@x.org', primary: true, extra: undefined }],
      n: 1.5,
      inf: Number.POSITIVE_INFINITY,
      when: new Date('2024-01-02T03:04:05Z'),
      list: [undefined, () => 1, null],
      text: 'Zoë 🎉 \u0000',
    };
    const kept = boundedJson(payload);
    expect(kept).toMatchObject({ cut: false, tooLarge: false });
    expect(JSON.stringify(kept.value)).toBe(JSON.stringify(payload));
  });

  it('keeps a payload nested 10,000 levels (which overflows JSON.stringify) cut at the bound', () => {
    const deep = { external_id: 'people/deep', emails: nest(10_000) };
    expect(() => JSON.stringify(deep)).toThrow(/call stack/);
    const kept = boundedJson(deep);
    expect(kept.cut).toBe(true);
    const text = JSON.stringify(kept.value);
    expect(text).toContain(JSON.stringify(CUT_MARKER));
    expect(depthOf(JSON.parse(text))).toBe(MAX_KEPT_DEPTH);
    // Read back and kept again (a retry), it is the same and still says it was cut.
    const again = boundedJson(JSON.parse(text));
    expect(again.cut).toBe(true);
    expect(JSON.stringify(again.value)).toBe(text);
  });

  it('keeps a payload nested exactly to the bound as it is, and cuts one level more', () => {
    expect(depthOf({ a: nest(MAX_KEPT_DEPTH - 1, 1) })).toBe(MAX_KEPT_DEPTH);
    expect(boundedJson({ a: nest(MAX_KEPT_DEPTH - 1, 1) }).cut).toBe(false);
    expect(boundedJson({ a: nest(MAX_KEPT_DEPTH, 1) }).cut).toBe(true);
  });

  it('cuts a cycle where it closes and writes a BigInt as its digits', () => {
    const a: Record<string, unknown> = { id: 'x', big: 12n };
    a.self = a;
    const kept = boundedJson(a);
    expect(kept.cut).toBe(true);
    expect(kept.value).toEqual({ id: 'x', big: '12', self: CUT_MARKER });
  });

  it('says a payload over the size bounds is too large', () => {
    expect(boundedJson({ s: 'x'.repeat(MAX_KEPT_CHARACTERS + 1) }).tooLarge).toBe(true);
    expect(boundedJson(Array.from({ length: MAX_KEPT_VALUES + 1 }, () => 0)).tooLarge).toBe(true);
    expect(boundedJson({ s: 'x'.repeat(100 * 1024) }).tooLarge).toBe(false);
  });

  it('keeps a key __proto__ as a key', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}');
    const kept = boundedJson(payload);
    expect(JSON.stringify(kept.value)).toBe('{"__proto__":{"polluted":true},"constructor":"c"}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('never throws on a getter that throws', () => {
    const payload = {
      get boom(): string {
        throw new Error('no');
      },
    };
    expect(boundedJson(payload).value).toEqual({ boom: null });
  });
});
