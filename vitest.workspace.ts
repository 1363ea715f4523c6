import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults } from 'vitest/config';
import { HEAVY_TEST_FILES } from './vitest.heavy.js';

/**
 * The test projects of the workspace: every package and example with a `src/` folder, each named
 * after its folder, and beside it `<name>:heavy` with that folder's heavy variants (listed in
 * `vitest.heavy.ts`). `pnpm test` runs every project but the heavy ones (`--project '!*:heavy'`),
 * `pnpm test:heavy` only those (`--project '*:heavy'`); `pnpm vitest run <file>` finds a file in
 * either. vitest 4 ignores this file on its own; `vitest.config.ts` feeds it to `test.projects` so
 * that each project extends the root config (conditions, timeouts).
 */
const dirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .filter((name) => existsSync(join(group, name, 'src')))
        .map((name) => join(group, name))
    : [],
);

/** The heavy files under `root`, relative to it (the form a project's `include` takes). */
const heavyUnder = (root: string) =>
  HEAVY_TEST_FILES.filter((file) => file.startsWith(`${root}/`)).map((file) => file.slice(root.length + 1));

export default dirs.flatMap((root) => {
  const name = root.split('/').pop() ?? root;
  const heavy = heavyUnder(root);
  const fast = {
    extends: true as const,
    test: { name, root, include: ['src/**/*.test.ts'], exclude: [...configDefaults.exclude, ...heavy] },
  };
  if (heavy.length === 0) return [fast];
  // The heavy files keep vitest's isolation (a fresh module graph per file): they spend their time
  // in child processes, not in imports, so sharing modules would save little and risk much.
  return [
    fast,
    { extends: true as const, test: { name: `${name}:heavy`, root, include: heavy, isolate: true } },
  ];
});
