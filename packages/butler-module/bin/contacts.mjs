#!/usr/bin/env node
// The `contacts` command, in this one process (no second node to start; signals reach the
// command itself). Installed from the registry (dist/ only), it runs the built JavaScript. In a
// workspace checkout it runs the built JavaScript too when every package's dist/ is newer than
// everything its build reads (src/, package.json, tsup.config.ts): a fresh clone, an edit or a
// checkout since the last `pnpm build` makes it run the TypeScript source through tsx instead,
// so it is never a stale dist/. tsx costs most of a second per command (docs/benchmarks.md).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/bin.ts', import.meta.url);
const packages = fileURLToPath(new URL('../../', import.meta.url));

/** The newest modification time under `path` (a file, or a directory walked through). */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

/** Whether every workspace package's dist/ was built after its sources last changed. */
function builtIsCurrent() {
  if (process.env.CONTACTS_FROM_SOURCE === '1') return false;
  for (const name of readdirSync(packages)) {
    const dir = join(packages, name);
    if (!existsSync(join(dir, 'src'))) continue;
    const built = statSync(join(dir, 'dist', 'index.js'), { throwIfNoEntry: false });
    if (!built) return false;
    const read = [join(dir, 'src'), join(dir, 'package.json'), join(dir, 'tsup.config.ts')];
    if (read.some((path) => newest(path) >= built.mtimeMs)) return false;
  }
  return existsSync(new URL('../dist/cli/bin.js', import.meta.url));
}

if (!existsSync(source) || builtIsCurrent()) {
  await import('../dist/cli/bin.js');
} else {
  try {
    // tsx's loader, as `node --import tsx` registers it: .ts files from here on.
    await import('tsx');
  } catch {
    process.stderr.write(
      'contacts: running from source needs tsx; run `pnpm install` in the workspace first.\n',
    );
    process.exit(2);
  }
  // What `--conditions=@contacts/source` does, for the imports from here on: workspace packages
  // resolve to their TypeScript sources. Registered after tsx, so it runs before tsx's resolve.
  const hook = `export async function resolve(specifier, context, next) {
    const conditions = context.conditions.includes('@contacts/source') ? context.conditions : [...context.conditions, '@contacts/source'];
    return next(specifier, { ...context, conditions });
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  await import(source.href);
}
