import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The test projects of the workspace: every package and example with a `src/` folder, each named
 * after its folder. vitest 4 ignores this file on its own; `vitest.config.ts` feeds it to
 * `test.projects` so that each project extends the root config (conditions, timeouts).
 */
const dirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .filter((name) => existsSync(join(group, name, 'src')))
        .map((name) => join(group, name))
    : [],
);

export default dirs.map((root) => ({
  extends: true as const,
  test: {
    name: root.split('/').pop() ?? root,
    root,
    include: ['src/**/*.test.ts'],
  },
}));
