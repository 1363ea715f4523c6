import * as nodeModule from 'node:module';

/**
 * The ES module packages whose files import each other by relative path in great number, and
 * whose package.json Node deserializes again for every one of those files (below).
 */
export const FAST_RESOLVE_PACKAGES: readonly string[] = ['drizzle-orm', 'zod'];

interface ResolveContext {
  parentURL?: string | undefined;
}
interface ResolveResult {
  url: string;
  format?: string | null | undefined;
  shortCircuit?: boolean | undefined;
}

/**
 * A resolve hook (`module.registerHooks`) for relative imports between the files of one of
 * `packages`: the URL is the specifier against its parent, the format the package's (`module`),
 * and nothing else is read. Every other specifier goes to Node.
 *
 * Why: Node 22.15+ (and 24) decide each file's format from its package scope and deserialize
 * that package.json's `exports` again for every file. drizzle-orm's is 179 KB and `status`
 * loads about a hundred of its files: 0.55 s of the command's 1.0 s start on Node 22.23,
 * 0.9 s on Node 24.21 (`import('drizzle-orm/postgres-js')` alone: 623 ms, 68 ms with this hook,
 * 106 ms on Node 20). Both listed packages are `"type": "module"` and import their own files
 * by relative `.js` paths, so this answer is the URL and format Node would give. Only a file
 * that does not exist fails differently: at load (`ENOENT`), where Node says
 * `ERR_MODULE_NOT_FOUND` at resolution; neither package imports a file it does not ship.
 *
 * @example
 * ```ts
 * fastResolve('../entity.js', { parentURL: 'file:///app/node_modules/drizzle-orm/pg-core/table.js' }, next);
 * // { url: 'file:///app/node_modules/drizzle-orm/entity.js', format: 'module', shortCircuit: true }
 * ```
 */
export function fastResolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context: ResolveContext) => ResolveResult,
  packages: readonly string[] = FAST_RESOLVE_PACKAGES,
): ResolveResult {
  const parent = context.parentURL;
  if (
    parent?.startsWith('file:') &&
    (specifier.startsWith('./') || specifier.startsWith('../')) &&
    specifier.endsWith('.js')
  ) {
    for (const name of packages) {
      const marker = `/node_modules/${name}/`;
      const at = parent.lastIndexOf(marker);
      if (at === -1) continue;
      const root = parent.slice(0, at + marker.length);
      // Not a package installed inside this one (npm can nest one there, CommonJS perhaps).
      if (nested(parent.slice(root.length))) continue;
      const url = new URL(specifier, parent).href;
      // Only within the same package (a path that climbs out is Node's to resolve).
      if (url.startsWith(root) && !nested(url.slice(root.length))) {
        return { url, format: 'module', shortCircuit: true };
      }
    }
  }
  return nextResolve(specifier, context);
}

/** Whether a path inside a package's folder goes into a package of its own. */
function nested(inside: string): boolean {
  return inside.startsWith('node_modules/') || inside.includes('/node_modules/');
}

/**
 * Installs {@link fastResolve} for this process, where Node has synchronous module hooks
 * (`module.registerHooks`, Node 22.15+); elsewhere it does nothing (Node 20 does not pay the
 * cost). For the command's own process only: a library must not change how its host resolves.
 *
 * @example
 * ```ts
 * installFastResolve();
 * const { main } = await import('./main.js'); // drizzle-orm's files now resolve without Node's package.json reads
 * ```
 */
export function installFastResolve(): boolean {
  const register = (nodeModule as { registerHooks?: (hooks: { resolve: typeof fastResolve }) => unknown })
    .registerHooks;
  if (typeof register !== 'function') return false;
  register({ resolve: (specifier, context, next) => fastResolve(specifier, context, next) });
  return true;
}
