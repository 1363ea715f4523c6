import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.js';

/** Vite's default conditions, repeated because setting the list replaces them. */
const conditions = ['@contacts/source', 'module', 'node', 'development|production'];

/**
 * Root test config. Every project extends it, so tests resolve workspace packages to their
 * TypeScript sources through the `@contacts/source` export condition: no build before tests.
 */
export default defineConfig({
  ssr: { resolve: { conditions } },
  resolve: { conditions },
  test: {
    projects,
    // CI asks for a JSON report too (to prove the PostgreSQL half ran): `CONTACTS_TEST_REPORT=file`.
    ...(process.env.CONTACTS_TEST_REPORT
      ? { reporters: ['default', 'json'], outputFile: { json: process.env.CONTACTS_TEST_REPORT } }
      : {}),
    // vitest's default for `run` is one worker fewer than the cores, so on two cores one test file
    // ran at a time (the ~13 minutes issue 14 measured). The main process only schedules and
    // reports, and most files wait on child processes, sockets or PostgreSQL: one worker a core.
    maxWorkers: availableParallelism(),
    // Without isolation a worker imports each module once for all the files it runs, not once a
    // file: on two cores that took the fast suite's import time from 322 s to 55 s (summed over
    // workers) and its CPU from 577 s to 324 s, with every test passing. Tests therefore restore
    // what they change (timers, env, listeners) in their own hooks; none relies on a fresh module.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
