/**
 * Runs `work` on every item with at most `concurrency` in flight, and resolves when all are done
 * (rejects with the first failure, after the ones in flight have settled).
 *
 * @example
 * ```ts
 * await runBounded(batches, 3, async (batch) => { results.push(await multiget(batch)); });
 * ```
 */
export async function runBounded<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
