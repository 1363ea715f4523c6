import { emptySummary } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { SUMMARY_ORDER, summaryLine } from './summary-line.js';

describe('the summary line', () => {
  it('names every count as the summary does, in one order', () => {
    const summary = { ...emptySummary(), fetched: 300, applied: 300, created: 299, conflicts: 2 };
    expect(summaryLine(summary)).toBe(
      'fetched 300, created 299, updated 0, skipped 0, unchanged 0, deleted 0, conflicts 2, failed 0, applied 300',
    );
    // Every field of the summary, none invented.
    expect([...SUMMARY_ORDER].sort()).toEqual(Object.keys(emptySummary()).sort());
  });
});
