// Total readers for Google's JSON: a payload with a wrong type in one field yields null or an empty
// list for that field, never an exception, so one odd person cannot fail a whole page.

/** A plain object, or null. */
export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** The objects of a list field; anything else reads as an empty list. */
export function records(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const object = record(entry);
    return object ? [object] : [];
  });
}

/** A trimmed, non-empty string, or null. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** An integer within `[min, max]`, or null. */
export function intIn(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** Whether a list entry is the one Google marks primary (`metadata.primary`). */
export function isPrimary(entry: Record<string, unknown>): boolean {
  return record(entry.metadata)?.primary === true;
}

/** The entries of a list field, the primary one first, otherwise in Google's order. */
export function primaryFirst(value: unknown): Record<string, unknown>[] {
  const entries = records(value);
  return [...entries.filter(isPrimary), ...entries.filter((entry) => !isPrimary(entry))];
}
