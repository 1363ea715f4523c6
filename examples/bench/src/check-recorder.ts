/** A value a check compares. */
export type CheckValue = number | string | boolean;

/** One correctness check of a run, named after the scenario it is about. */
export interface RecordedCheck<Scenario extends string> {
  scenario: Scenario;
  name: string;
  ok: boolean;
  expected: CheckValue;
  actual: CheckValue;
}

/** What every scenario run of either family (Google, CardDAV) carries for the common checks. */
interface CheckedScenario<Scenario extends string, Mode extends string> {
  scenario: Scenario;
  mode: Mode;
  completed: boolean;
  summary: { failed: number };
}

/**
 * The recorder both families' checks are written with: `expect` records a comparison (never a
 * timing), `scenario` finds a run by name (recording "ran: false" when it is missing), `basics`
 * checks its mode, that it completed, and that nothing failed.
 *
 * @example
 * ```ts
 * const { checks, expect, scenario, basics } = checkRecorder(run.scenarios);
 * const first = scenario('full-initial');
 * if (first) basics(first, 'full');
 * ```
 */
export function checkRecorder<
  Scenario extends string,
  Mode extends string,
  Run extends CheckedScenario<Scenario, Mode>,
  Extra extends string = never,
>(scenarios: readonly Run[]) {
  const checks: RecordedCheck<Scenario | Extra>[] = [];
  const expect = (scenario: Scenario | Extra, name: string, expected: CheckValue, actual: CheckValue) =>
    checks.push({ scenario, name, ok: expected === actual, expected, actual });
  const byName = new Map(scenarios.map((s) => [s.scenario, s]));
  const scenario = (name: Scenario): Run | undefined => {
    const found = byName.get(name);
    if (!found) expect(name, 'ran', true, false);
    return found;
  };
  const basics = (s: Run, mode: Mode) => {
    expect(s.scenario, 'mode', mode, s.mode);
    expect(s.scenario, 'completed', true, s.completed);
    expect(s.scenario, 'failed', 0, s.summary.failed);
  };
  return { checks, expect, scenario, basics };
}
