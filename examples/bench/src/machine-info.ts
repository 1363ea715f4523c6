import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { ResultsFile } from './results-file.js';

/**
 * The machine a results file came from: CPUs, memory, node, and the PostgreSQL server's version
 * when one was used. Client and server share the same cores here, which the note says.
 */
export async function describeMachine(postgresUrl: string | undefined): Promise<ResultsFile['machine']> {
  let server: string | null = null;
  if (postgresUrl) {
    const client = postgres(postgresUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      const [row] = await client<{ version: string }[]>`select version() as version`;
      server = row?.version ?? null;
    } finally {
      await client.end({ timeout: 5 });
    }
  }
  const n = availableParallelism();
  return {
    cpus: n,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: totalmem(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    postgres: server,
    note: `benchmark child, emulator (parent process) and any PostgreSQL server share these ${n} CPUs`,
  };
}

/**
 * The commit the code under test came from, and whether the working tree had changes on top
 * (a run on uncommitted code is only comparable with care). Null outside a git checkout.
 */
export function describeRevision(): ResultsFile['revision'] {
  const cwd = fileURLToPath(new URL('../../..', import.meta.url));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    };
  } catch {
    return { commit: null, dirty: null };
  }
}
