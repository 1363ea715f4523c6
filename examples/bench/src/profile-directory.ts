/**
 * The summary of a `--cpu-prof` folder: the phase profiles of each run (`DRIVER-SIZE-runN-PHASE`
 * files, as `phase-profiler.ts` names them) side by side, self time by bucket.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CpuProfile,
  formatProfileSummaries,
  type ProfileSummary,
  summarizeProfile,
} from './profile-summary.js';
import { SCENARIOS } from './run-types.js';

const PHASE_ORDER: readonly string[] = [...SCENARIOS, 'fetch-floor', 'ceiling'];
const NAME = /^(.*-run\d+)-([a-z-]+)\.cpuprofile$/;

/**
 * Reads every phase profile of `dir` and formats one table per run (a column per phase).
 *
 * @example
 * ```ts
 * console.log(await summarizeProfileDirectory('/tmp/prof'));
 * ```
 */
export async function summarizeProfileDirectory(
  dir: string,
  options: { top?: number } = {},
): Promise<string> {
  const runs = new Map<string, { name: string; summary: ProfileSummary }[]>();
  for (const file of (await readdir(dir)).sort()) {
    const match = NAME.exec(file);
    if (!match) continue;
    const [, run, phase] = match as unknown as [string, string, string];
    const profile = CpuProfile.parse(JSON.parse(await readFile(join(dir, file), 'utf8')));
    const phases = runs.get(run) ?? [];
    phases.push({ name: phase, summary: summarizeProfile(profile, options) });
    runs.set(run, phases);
  }
  if (runs.size === 0) return `${dir}: no phase profile (*-runN-PHASE.cpuprofile) found.`;
  const rank = (name: string) => {
    const i = PHASE_ORDER.indexOf(name);
    return i < 0 ? PHASE_ORDER.length : i;
  };
  return [...runs]
    .map(([run, phases]) => {
      phases.sort((a, b) => rank(a.name) - rank(b.name));
      return `## ${run}: self time by bucket (CPU profile, ${dir})\n\n${formatProfileSummaries(phases, options)}`;
    })
    .join('\n\n');
}
